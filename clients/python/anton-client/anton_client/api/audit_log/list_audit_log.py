from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.audit_action import AuditAction
from ...models.audit_entry_list import AuditEntryList
from ...models.bad_request_error import BadRequestError
from ...models.forbidden_error import ForbiddenError
from ...models.internal_server_error_error import InternalServerErrorError
from ...models.list_audit_log_anton_version import ListAuditLogAntonVersion
from ...models.service_unavailable_error import ServiceUnavailableError
from ...models.too_many_requests_error import TooManyRequestsError
from ...models.unauthorized_error import UnauthorizedError
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
    ending_before: str | Unset = UNSET,
    createdgte: datetime.datetime | int | Unset = UNSET,
    createdlt: datetime.datetime | int | Unset = UNSET,
    action: AuditAction | Unset = UNSET,
    resource: str | Unset = UNSET,
    api_key: str | Unset = UNSET,
    anton_version: ListAuditLogAntonVersion | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(anton_version, Unset):
        headers["Anton-Version"] = str(anton_version)




    

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["starting_after"] = starting_after

    params["ending_before"] = ending_before

    json_createdgte: int | str | Unset
    if isinstance(createdgte, Unset):
        json_createdgte = UNSET
    elif isinstance(createdgte, datetime.datetime):
        json_createdgte = createdgte.isoformat()
    else:
        json_createdgte = createdgte
    params["created[gte]"] = json_createdgte

    json_createdlt: int | str | Unset
    if isinstance(createdlt, Unset):
        json_createdlt = UNSET
    elif isinstance(createdlt, datetime.datetime):
        json_createdlt = createdlt.isoformat()
    else:
        json_createdlt = createdlt
    params["created[lt]"] = json_createdlt

    json_action: str | Unset = UNSET
    if not isinstance(action, Unset):
        json_action = action.value

    params["action"] = json_action

    params["resource"] = resource

    params["api_key"] = api_key


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/audit_log",
        "params": params,
    }


    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AuditEntryList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    if response.status_code == 200:
        response_200 = AuditEntryList.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = BadRequestError.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = UnauthorizedError.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = ForbiddenError.from_dict(response.json())



        return response_403

    if response.status_code == 429:
        response_429 = TooManyRequestsError.from_dict(response.json())



        return response_429

    if response.status_code == 500:
        response_500 = InternalServerErrorError.from_dict(response.json())



        return response_500

    if response.status_code == 503:
        response_503 = ServiceUnavailableError.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AuditEntryList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
    ending_before: str | Unset = UNSET,
    createdgte: datetime.datetime | int | Unset = UNSET,
    createdlt: datetime.datetime | int | Unset = UNSET,
    action: AuditAction | Unset = UNSET,
    resource: str | Unset = UNSET,
    api_key: str | Unset = UNSET,
    anton_version: ListAuditLogAntonVersion | Unset = UNSET,

) -> Response[AuditEntryList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    """ List audit entries.

     Returns a page of this environment's audit entries, newest first: every security-relevant
    change — API keys created, rolled, revoked or flagged as exposed; webhook endpoints created,
    changed, deleted or their secrets rotated; rate limits changed; balances funded; payouts
    canceled — with who made it (an API key or the operator), from which address, in which
    request, and the object before and after. Never a secret. Each entry is written in the
    transaction of its change and chained to the one before by its hash; entries are kept as long
    as the merchant exists.

    Scope: `audit_log:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        action (AuditAction | Unset): What was done:
            - `api_key.created`: an API key was created (rolling one creates its successor).
            - `api_key.rolled`: an API key was replaced; `after.replaced_by` names its successor,
            `after.expires` when it stops working.
            - `api_key.revoked`: an API key was revoked.
            - `api_key.exposed`: an API key was sent from a browser and flagged as possibly exposed.
            - `webhook_endpoint.created`: a webhook endpoint was created.
            - `webhook_endpoint.updated`: a webhook endpoint's URL, events, description or status
            changed.
            - `webhook_endpoint.deleted`: a webhook endpoint was deleted.
            - `webhook_endpoint.secret_rotated`: a webhook endpoint's signing secret was replaced
            (never shown here).
            - `merchant.rate_limit_updated`: your API rate limit in this environment changed.
            - `merchant.alert_emails_updated`: the addresses your alerts are emailed to changed.
            - `balance.funded`: money was added to your balance.
            - `payout.canceled`: a payout was canceled.
            - `payout.approved`: a payout held by a risk rule was approved (`after.review` says by
            whom and why).
            - `payout.rejected`: a payout held by a risk rule was rejected; its amount is available
            again.
            - `payout.review_expired`: a payout held by a risk rule was not decided in time; Anton
            rejected it.
            - `risk_rule.updated`: a risk rule's action, limits or state changed.
            - `alert.acknowledged`: an alert was acknowledged.
            - `alert.resolved`: an alert was resolved through the API (Anton's own resolutions are not
            audited: they follow the alert's rule).
            - `member.invited`: someone was invited to the team (`after` holds the email and role;
            never the link).
            - `member.joined`: an invitation was accepted: the member set a password and enrolled two-
            factor codes (TOTP and recovery codes).
            - `member.login`: a member signed in to the portal (`after.method`: `totp` or
            `recovery_code`).
            - `member.login_failed`: a sign-in as this member was refused (a wrong password or code;
            attempts the throttle refused are not recorded).
            - `member.role_changed`: a member's role changed (`before` and `after` hold it); their
            sessions ended.
            - `member.removed`: a member was removed from the team; their sessions ended.
            - `member.invitation_revoked`: an invitation not yet accepted was revoked; its link
            stopped working (`before` holds the email and role).
            - `member.password_changed`: a member changed their password; their other sessions ended.
            - `member.two_factor_changed`: a member changed their two-factor codes (`after.change`:
            `totp_reenrolled`, a new authenticator app, which also ended their other sessions; or
            `recovery_codes_regenerated`).
        resource (str | Unset):
        api_key (str | Unset): The id of an API key: `key_` and 24 base62 characters (time-
            ordered). A malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListAuditLogAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditEntryList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]
     """


    kwargs = _get_kwargs(
        limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
action=action,
resource=resource,
api_key=api_key,
anton_version=anton_version,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
    ending_before: str | Unset = UNSET,
    createdgte: datetime.datetime | int | Unset = UNSET,
    createdlt: datetime.datetime | int | Unset = UNSET,
    action: AuditAction | Unset = UNSET,
    resource: str | Unset = UNSET,
    api_key: str | Unset = UNSET,
    anton_version: ListAuditLogAntonVersion | Unset = UNSET,

) -> AuditEntryList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    """ List audit entries.

     Returns a page of this environment's audit entries, newest first: every security-relevant
    change — API keys created, rolled, revoked or flagged as exposed; webhook endpoints created,
    changed, deleted or their secrets rotated; rate limits changed; balances funded; payouts
    canceled — with who made it (an API key or the operator), from which address, in which
    request, and the object before and after. Never a secret. Each entry is written in the
    transaction of its change and chained to the one before by its hash; entries are kept as long
    as the merchant exists.

    Scope: `audit_log:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        action (AuditAction | Unset): What was done:
            - `api_key.created`: an API key was created (rolling one creates its successor).
            - `api_key.rolled`: an API key was replaced; `after.replaced_by` names its successor,
            `after.expires` when it stops working.
            - `api_key.revoked`: an API key was revoked.
            - `api_key.exposed`: an API key was sent from a browser and flagged as possibly exposed.
            - `webhook_endpoint.created`: a webhook endpoint was created.
            - `webhook_endpoint.updated`: a webhook endpoint's URL, events, description or status
            changed.
            - `webhook_endpoint.deleted`: a webhook endpoint was deleted.
            - `webhook_endpoint.secret_rotated`: a webhook endpoint's signing secret was replaced
            (never shown here).
            - `merchant.rate_limit_updated`: your API rate limit in this environment changed.
            - `merchant.alert_emails_updated`: the addresses your alerts are emailed to changed.
            - `balance.funded`: money was added to your balance.
            - `payout.canceled`: a payout was canceled.
            - `payout.approved`: a payout held by a risk rule was approved (`after.review` says by
            whom and why).
            - `payout.rejected`: a payout held by a risk rule was rejected; its amount is available
            again.
            - `payout.review_expired`: a payout held by a risk rule was not decided in time; Anton
            rejected it.
            - `risk_rule.updated`: a risk rule's action, limits or state changed.
            - `alert.acknowledged`: an alert was acknowledged.
            - `alert.resolved`: an alert was resolved through the API (Anton's own resolutions are not
            audited: they follow the alert's rule).
            - `member.invited`: someone was invited to the team (`after` holds the email and role;
            never the link).
            - `member.joined`: an invitation was accepted: the member set a password and enrolled two-
            factor codes (TOTP and recovery codes).
            - `member.login`: a member signed in to the portal (`after.method`: `totp` or
            `recovery_code`).
            - `member.login_failed`: a sign-in as this member was refused (a wrong password or code;
            attempts the throttle refused are not recorded).
            - `member.role_changed`: a member's role changed (`before` and `after` hold it); their
            sessions ended.
            - `member.removed`: a member was removed from the team; their sessions ended.
            - `member.invitation_revoked`: an invitation not yet accepted was revoked; its link
            stopped working (`before` holds the email and role).
            - `member.password_changed`: a member changed their password; their other sessions ended.
            - `member.two_factor_changed`: a member changed their two-factor codes (`after.change`:
            `totp_reenrolled`, a new authenticator app, which also ended their other sessions; or
            `recovery_codes_regenerated`).
        resource (str | Unset):
        api_key (str | Unset): The id of an API key: `key_` and 24 base62 characters (time-
            ordered). A malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListAuditLogAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditEntryList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError
     """


    return sync_detailed(
        client=client,
limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
action=action,
resource=resource,
api_key=api_key,
anton_version=anton_version,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
    ending_before: str | Unset = UNSET,
    createdgte: datetime.datetime | int | Unset = UNSET,
    createdlt: datetime.datetime | int | Unset = UNSET,
    action: AuditAction | Unset = UNSET,
    resource: str | Unset = UNSET,
    api_key: str | Unset = UNSET,
    anton_version: ListAuditLogAntonVersion | Unset = UNSET,

) -> Response[AuditEntryList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    """ List audit entries.

     Returns a page of this environment's audit entries, newest first: every security-relevant
    change — API keys created, rolled, revoked or flagged as exposed; webhook endpoints created,
    changed, deleted or their secrets rotated; rate limits changed; balances funded; payouts
    canceled — with who made it (an API key or the operator), from which address, in which
    request, and the object before and after. Never a secret. Each entry is written in the
    transaction of its change and chained to the one before by its hash; entries are kept as long
    as the merchant exists.

    Scope: `audit_log:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        action (AuditAction | Unset): What was done:
            - `api_key.created`: an API key was created (rolling one creates its successor).
            - `api_key.rolled`: an API key was replaced; `after.replaced_by` names its successor,
            `after.expires` when it stops working.
            - `api_key.revoked`: an API key was revoked.
            - `api_key.exposed`: an API key was sent from a browser and flagged as possibly exposed.
            - `webhook_endpoint.created`: a webhook endpoint was created.
            - `webhook_endpoint.updated`: a webhook endpoint's URL, events, description or status
            changed.
            - `webhook_endpoint.deleted`: a webhook endpoint was deleted.
            - `webhook_endpoint.secret_rotated`: a webhook endpoint's signing secret was replaced
            (never shown here).
            - `merchant.rate_limit_updated`: your API rate limit in this environment changed.
            - `merchant.alert_emails_updated`: the addresses your alerts are emailed to changed.
            - `balance.funded`: money was added to your balance.
            - `payout.canceled`: a payout was canceled.
            - `payout.approved`: a payout held by a risk rule was approved (`after.review` says by
            whom and why).
            - `payout.rejected`: a payout held by a risk rule was rejected; its amount is available
            again.
            - `payout.review_expired`: a payout held by a risk rule was not decided in time; Anton
            rejected it.
            - `risk_rule.updated`: a risk rule's action, limits or state changed.
            - `alert.acknowledged`: an alert was acknowledged.
            - `alert.resolved`: an alert was resolved through the API (Anton's own resolutions are not
            audited: they follow the alert's rule).
            - `member.invited`: someone was invited to the team (`after` holds the email and role;
            never the link).
            - `member.joined`: an invitation was accepted: the member set a password and enrolled two-
            factor codes (TOTP and recovery codes).
            - `member.login`: a member signed in to the portal (`after.method`: `totp` or
            `recovery_code`).
            - `member.login_failed`: a sign-in as this member was refused (a wrong password or code;
            attempts the throttle refused are not recorded).
            - `member.role_changed`: a member's role changed (`before` and `after` hold it); their
            sessions ended.
            - `member.removed`: a member was removed from the team; their sessions ended.
            - `member.invitation_revoked`: an invitation not yet accepted was revoked; its link
            stopped working (`before` holds the email and role).
            - `member.password_changed`: a member changed their password; their other sessions ended.
            - `member.two_factor_changed`: a member changed their two-factor codes (`after.change`:
            `totp_reenrolled`, a new authenticator app, which also ended their other sessions; or
            `recovery_codes_regenerated`).
        resource (str | Unset):
        api_key (str | Unset): The id of an API key: `key_` and 24 base62 characters (time-
            ordered). A malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListAuditLogAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditEntryList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]
     """


    kwargs = _get_kwargs(
        limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
action=action,
resource=resource,
api_key=api_key,
anton_version=anton_version,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
    ending_before: str | Unset = UNSET,
    createdgte: datetime.datetime | int | Unset = UNSET,
    createdlt: datetime.datetime | int | Unset = UNSET,
    action: AuditAction | Unset = UNSET,
    resource: str | Unset = UNSET,
    api_key: str | Unset = UNSET,
    anton_version: ListAuditLogAntonVersion | Unset = UNSET,

) -> AuditEntryList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    """ List audit entries.

     Returns a page of this environment's audit entries, newest first: every security-relevant
    change — API keys created, rolled, revoked or flagged as exposed; webhook endpoints created,
    changed, deleted or their secrets rotated; rate limits changed; balances funded; payouts
    canceled — with who made it (an API key or the operator), from which address, in which
    request, and the object before and after. Never a secret. Each entry is written in the
    transaction of its change and chained to the one before by its hash; entries are kept as long
    as the merchant exists.

    Scope: `audit_log:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        action (AuditAction | Unset): What was done:
            - `api_key.created`: an API key was created (rolling one creates its successor).
            - `api_key.rolled`: an API key was replaced; `after.replaced_by` names its successor,
            `after.expires` when it stops working.
            - `api_key.revoked`: an API key was revoked.
            - `api_key.exposed`: an API key was sent from a browser and flagged as possibly exposed.
            - `webhook_endpoint.created`: a webhook endpoint was created.
            - `webhook_endpoint.updated`: a webhook endpoint's URL, events, description or status
            changed.
            - `webhook_endpoint.deleted`: a webhook endpoint was deleted.
            - `webhook_endpoint.secret_rotated`: a webhook endpoint's signing secret was replaced
            (never shown here).
            - `merchant.rate_limit_updated`: your API rate limit in this environment changed.
            - `merchant.alert_emails_updated`: the addresses your alerts are emailed to changed.
            - `balance.funded`: money was added to your balance.
            - `payout.canceled`: a payout was canceled.
            - `payout.approved`: a payout held by a risk rule was approved (`after.review` says by
            whom and why).
            - `payout.rejected`: a payout held by a risk rule was rejected; its amount is available
            again.
            - `payout.review_expired`: a payout held by a risk rule was not decided in time; Anton
            rejected it.
            - `risk_rule.updated`: a risk rule's action, limits or state changed.
            - `alert.acknowledged`: an alert was acknowledged.
            - `alert.resolved`: an alert was resolved through the API (Anton's own resolutions are not
            audited: they follow the alert's rule).
            - `member.invited`: someone was invited to the team (`after` holds the email and role;
            never the link).
            - `member.joined`: an invitation was accepted: the member set a password and enrolled two-
            factor codes (TOTP and recovery codes).
            - `member.login`: a member signed in to the portal (`after.method`: `totp` or
            `recovery_code`).
            - `member.login_failed`: a sign-in as this member was refused (a wrong password or code;
            attempts the throttle refused are not recorded).
            - `member.role_changed`: a member's role changed (`before` and `after` hold it); their
            sessions ended.
            - `member.removed`: a member was removed from the team; their sessions ended.
            - `member.invitation_revoked`: an invitation not yet accepted was revoked; its link
            stopped working (`before` holds the email and role).
            - `member.password_changed`: a member changed their password; their other sessions ended.
            - `member.two_factor_changed`: a member changed their two-factor codes (`after.change`:
            `totp_reenrolled`, a new authenticator app, which also ended their other sessions; or
            `recovery_codes_regenerated`).
        resource (str | Unset):
        api_key (str | Unset): The id of an API key: `key_` and 24 base62 characters (time-
            ordered). A malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListAuditLogAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditEntryList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError
     """


    return (await asyncio_detailed(
        client=client,
limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
action=action,
resource=resource,
api_key=api_key,
anton_version=anton_version,

    )).parsed
