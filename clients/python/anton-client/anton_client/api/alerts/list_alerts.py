from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.alert_list import AlertList
from ...models.alert_rule import AlertRule
from ...models.alert_status import AlertStatus
from ...models.bad_request_error import BadRequestError
from ...models.forbidden_error import ForbiddenError
from ...models.internal_server_error_error import InternalServerErrorError
from ...models.list_alerts_anton_version import ListAlertsAntonVersion
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
    status: AlertStatus | Unset = UNSET,
    rule: AlertRule | Unset = UNSET,
    anton_version: ListAlertsAntonVersion | Unset = UNSET,

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

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    json_rule: str | Unset = UNSET
    if not isinstance(rule, Unset):
        json_rule = rule.value

    params["rule"] = json_rule


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/alerts",
        "params": params,
    }


    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AlertList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    if response.status_code == 200:
        response_200 = AlertList.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AlertList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
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
    status: AlertStatus | Unset = UNSET,
    rule: AlertRule | Unset = UNSET,
    anton_version: ListAlertsAntonVersion | Unset = UNSET,

) -> Response[AlertList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    """ List alerts.

     Returns a page of this environment's alerts, newest first. Anton raises an alert when it
    notices something your team should look at — a revoked or expired key still in use, a secret
    key sent from a browser, a key used from a new address, a spike of 401s, a 5xx answered to
    you, a failing or disabled webhook endpoint — one per rule and subject while unresolved
    (later sightings raise its `count` and `last_seen`), resolved by Anton when the condition
    clears. Each is also announced by an `alert.raised` event, and its resolution by
    `alert.resolved`.

    Scope: `alerts:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (AlertStatus | Unset): `open`: raised and not yet handled. `acknowledged`: someone
            is on it; it keeps counting and is still resolved when its condition clears. `resolved`:
            its condition cleared (`resolved_by` is `anton`) or it was resolved through the API; if
            the condition comes back, a new alert is raised.
        rule (AlertRule | Unset): The rule that raised the alert:
            - `api_key_revoked_used`: a revoked or expired API key is still being used
            (`details.api_key`, `details.source_ip`): whoever holds it may not be you — find where it
            is deployed or leaked.
            - `api_key_from_browser`: a secret API key was sent from a browser and refused; it is
            flagged as possibly exposed: roll it.
            - `api_key_new_address`: an API key was used from an address it had never been used from
            (`details.source_ip`): expected after a deployment, a compromise signal otherwise.
            - `auth_failures_spike`: many requests with revoked or expired keys were refused with 401
            (`details.count_in_window`).
            - `server_errors`: Anton answered one of your requests with a 5xx (`details.request_id`):
            retry with the same Idempotency-Key; the operator is alerted too.
            - `webhook_endpoint_failing`: deliveries to a webhook endpoint are failing (`details.url`,
            `details.failing_since`): Anton retries for three days, then disables it.
            - `webhook_endpoint_disabled`: Anton disabled a webhook endpoint (it answered 410, or
            failed for 5 days): enable it again, then recover what it missed.
            - `unusual_payout_activity`: a payout risk rule whose action is `alert` fired (`subject`:
            the rule; `details.payout`, `details.explanation`, `details.api_key`): the payout went
            ahead — check it was yours, and tighten the rule's action if not (docs/risk.md).
        anton_version (ListAlertsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AlertList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]
     """


    kwargs = _get_kwargs(
        limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
rule=rule,
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
    status: AlertStatus | Unset = UNSET,
    rule: AlertRule | Unset = UNSET,
    anton_version: ListAlertsAntonVersion | Unset = UNSET,

) -> AlertList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    """ List alerts.

     Returns a page of this environment's alerts, newest first. Anton raises an alert when it
    notices something your team should look at — a revoked or expired key still in use, a secret
    key sent from a browser, a key used from a new address, a spike of 401s, a 5xx answered to
    you, a failing or disabled webhook endpoint — one per rule and subject while unresolved
    (later sightings raise its `count` and `last_seen`), resolved by Anton when the condition
    clears. Each is also announced by an `alert.raised` event, and its resolution by
    `alert.resolved`.

    Scope: `alerts:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (AlertStatus | Unset): `open`: raised and not yet handled. `acknowledged`: someone
            is on it; it keeps counting and is still resolved when its condition clears. `resolved`:
            its condition cleared (`resolved_by` is `anton`) or it was resolved through the API; if
            the condition comes back, a new alert is raised.
        rule (AlertRule | Unset): The rule that raised the alert:
            - `api_key_revoked_used`: a revoked or expired API key is still being used
            (`details.api_key`, `details.source_ip`): whoever holds it may not be you — find where it
            is deployed or leaked.
            - `api_key_from_browser`: a secret API key was sent from a browser and refused; it is
            flagged as possibly exposed: roll it.
            - `api_key_new_address`: an API key was used from an address it had never been used from
            (`details.source_ip`): expected after a deployment, a compromise signal otherwise.
            - `auth_failures_spike`: many requests with revoked or expired keys were refused with 401
            (`details.count_in_window`).
            - `server_errors`: Anton answered one of your requests with a 5xx (`details.request_id`):
            retry with the same Idempotency-Key; the operator is alerted too.
            - `webhook_endpoint_failing`: deliveries to a webhook endpoint are failing (`details.url`,
            `details.failing_since`): Anton retries for three days, then disables it.
            - `webhook_endpoint_disabled`: Anton disabled a webhook endpoint (it answered 410, or
            failed for 5 days): enable it again, then recover what it missed.
            - `unusual_payout_activity`: a payout risk rule whose action is `alert` fired (`subject`:
            the rule; `details.payout`, `details.explanation`, `details.api_key`): the payout went
            ahead — check it was yours, and tighten the rule's action if not (docs/risk.md).
        anton_version (ListAlertsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AlertList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError
     """


    return sync_detailed(
        client=client,
limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
rule=rule,
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
    status: AlertStatus | Unset = UNSET,
    rule: AlertRule | Unset = UNSET,
    anton_version: ListAlertsAntonVersion | Unset = UNSET,

) -> Response[AlertList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    """ List alerts.

     Returns a page of this environment's alerts, newest first. Anton raises an alert when it
    notices something your team should look at — a revoked or expired key still in use, a secret
    key sent from a browser, a key used from a new address, a spike of 401s, a 5xx answered to
    you, a failing or disabled webhook endpoint — one per rule and subject while unresolved
    (later sightings raise its `count` and `last_seen`), resolved by Anton when the condition
    clears. Each is also announced by an `alert.raised` event, and its resolution by
    `alert.resolved`.

    Scope: `alerts:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (AlertStatus | Unset): `open`: raised and not yet handled. `acknowledged`: someone
            is on it; it keeps counting and is still resolved when its condition clears. `resolved`:
            its condition cleared (`resolved_by` is `anton`) or it was resolved through the API; if
            the condition comes back, a new alert is raised.
        rule (AlertRule | Unset): The rule that raised the alert:
            - `api_key_revoked_used`: a revoked or expired API key is still being used
            (`details.api_key`, `details.source_ip`): whoever holds it may not be you — find where it
            is deployed or leaked.
            - `api_key_from_browser`: a secret API key was sent from a browser and refused; it is
            flagged as possibly exposed: roll it.
            - `api_key_new_address`: an API key was used from an address it had never been used from
            (`details.source_ip`): expected after a deployment, a compromise signal otherwise.
            - `auth_failures_spike`: many requests with revoked or expired keys were refused with 401
            (`details.count_in_window`).
            - `server_errors`: Anton answered one of your requests with a 5xx (`details.request_id`):
            retry with the same Idempotency-Key; the operator is alerted too.
            - `webhook_endpoint_failing`: deliveries to a webhook endpoint are failing (`details.url`,
            `details.failing_since`): Anton retries for three days, then disables it.
            - `webhook_endpoint_disabled`: Anton disabled a webhook endpoint (it answered 410, or
            failed for 5 days): enable it again, then recover what it missed.
            - `unusual_payout_activity`: a payout risk rule whose action is `alert` fired (`subject`:
            the rule; `details.payout`, `details.explanation`, `details.api_key`): the payout went
            ahead — check it was yours, and tighten the rule's action if not (docs/risk.md).
        anton_version (ListAlertsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AlertList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]
     """


    kwargs = _get_kwargs(
        limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
rule=rule,
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
    status: AlertStatus | Unset = UNSET,
    rule: AlertRule | Unset = UNSET,
    anton_version: ListAlertsAntonVersion | Unset = UNSET,

) -> AlertList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    """ List alerts.

     Returns a page of this environment's alerts, newest first. Anton raises an alert when it
    notices something your team should look at — a revoked or expired key still in use, a secret
    key sent from a browser, a key used from a new address, a spike of 401s, a 5xx answered to
    you, a failing or disabled webhook endpoint — one per rule and subject while unresolved
    (later sightings raise its `count` and `last_seen`), resolved by Anton when the condition
    clears. Each is also announced by an `alert.raised` event, and its resolution by
    `alert.resolved`.

    Scope: `alerts:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (AlertStatus | Unset): `open`: raised and not yet handled. `acknowledged`: someone
            is on it; it keeps counting and is still resolved when its condition clears. `resolved`:
            its condition cleared (`resolved_by` is `anton`) or it was resolved through the API; if
            the condition comes back, a new alert is raised.
        rule (AlertRule | Unset): The rule that raised the alert:
            - `api_key_revoked_used`: a revoked or expired API key is still being used
            (`details.api_key`, `details.source_ip`): whoever holds it may not be you — find where it
            is deployed or leaked.
            - `api_key_from_browser`: a secret API key was sent from a browser and refused; it is
            flagged as possibly exposed: roll it.
            - `api_key_new_address`: an API key was used from an address it had never been used from
            (`details.source_ip`): expected after a deployment, a compromise signal otherwise.
            - `auth_failures_spike`: many requests with revoked or expired keys were refused with 401
            (`details.count_in_window`).
            - `server_errors`: Anton answered one of your requests with a 5xx (`details.request_id`):
            retry with the same Idempotency-Key; the operator is alerted too.
            - `webhook_endpoint_failing`: deliveries to a webhook endpoint are failing (`details.url`,
            `details.failing_since`): Anton retries for three days, then disables it.
            - `webhook_endpoint_disabled`: Anton disabled a webhook endpoint (it answered 410, or
            failed for 5 days): enable it again, then recover what it missed.
            - `unusual_payout_activity`: a payout risk rule whose action is `alert` fired (`subject`:
            the rule; `details.payout`, `details.explanation`, `details.api_key`): the payout went
            ahead — check it was yours, and tighten the rule's action if not (docs/risk.md).
        anton_version (ListAlertsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AlertList | BadRequestError | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError
     """


    return (await asyncio_detailed(
        client=client,
limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
rule=rule,
anton_version=anton_version,

    )).parsed
