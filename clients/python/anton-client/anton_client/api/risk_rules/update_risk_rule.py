from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.bad_request_error import BadRequestError
from ...models.conflict_error import ConflictError
from ...models.content_too_large_error import ContentTooLargeError
from ...models.forbidden_error import ForbiddenError
from ...models.internal_server_error_error import InternalServerErrorError
from ...models.not_found_error import NotFoundError
from ...models.request_timeout_error import RequestTimeoutError
from ...models.risk_rule import RiskRule
from ...models.risk_rule_name import RiskRuleName
from ...models.risk_rule_update import RiskRuleUpdate
from ...models.service_unavailable_error import ServiceUnavailableError
from ...models.too_many_requests_error import TooManyRequestsError
from ...models.unauthorized_error import UnauthorizedError
from ...models.unprocessable_content_error import UnprocessableContentError
from ...models.unsupported_media_type_error import UnsupportedMediaTypeError
from ...models.update_risk_rule_anton_version import UpdateRiskRuleAntonVersion
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    rule: RiskRuleName,
    *,
    body: RiskRuleUpdate | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    anton_version: UpdateRiskRuleAntonVersion | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    if not isinstance(anton_version, Unset):
        headers["Anton-Version"] = str(anton_version)




    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/risk_rules/{rule}".format(rule=quote(str(rule), safe=""),),
    }

    
    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | RequestTimeoutError | RiskRule | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError | None:
    if response.status_code == 200:
        response_200 = RiskRule.from_dict(response.json())



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

    if response.status_code == 404:
        response_404 = NotFoundError.from_dict(response.json())



        return response_404

    if response.status_code == 408:
        response_408 = RequestTimeoutError.from_dict(response.json())



        return response_408

    if response.status_code == 409:
        response_409 = ConflictError.from_dict(response.json())



        return response_409

    if response.status_code == 413:
        response_413 = ContentTooLargeError.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = UnsupportedMediaTypeError.from_dict(response.json())



        return response_415

    if response.status_code == 422:
        response_422 = UnprocessableContentError.from_dict(response.json())



        return response_422

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | RequestTimeoutError | RiskRule | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    rule: RiskRuleName,
    *,
    client: AuthenticatedClient,
    body: RiskRuleUpdate | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    anton_version: UpdateRiskRuleAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | RequestTimeoutError | RiskRule | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]:
    """ Update a risk rule.

     Changes the rule's state, action or limits in this environment (audited as
    `risk_rule.updated`). Payouts created after the answer, on every node, are assessed with
    it; payouts already held stay held.

    Scope: `risk_rules:write` — not carried by secret keys: create a restricted key with it.
    Takes an `Idempotency-Key`.

    Args:
        rule (RiskRuleName): A risk rule of the catalogue (docs/risk.md). Windows are UTC calendar
            windows; an outflow counts the payouts released to the rail (created into `pending` or
            approved).
            - `payout_amount`: one payout's amount is above `limits[currency]`.
            - `daily_sum`: the sum released today (UTC), with this payout, is above
            `limits[currency]`.
            - `daily_count`: the payouts released today (UTC), with this one, are more than `limit`.
            - `hourly_sum`: the sum released in this clock hour (UTC), with this payout, is above
            `limits[currency]`.
            - `hourly_count`: the payouts released in this clock hour (UTC), with this one, are more
            than `limit`.
            - `bank_details_changed`: a payout above `limits[currency]` goes to a recipient whose bank
            details were changed within the last 24 hours (the classic account-takeover pattern).
            - `amount_vs_history`: the payout's amount is more than `limit` times the 95th percentile
            of the merchant's payouts in that currency over the last 30 days (judged once those hold
            50 payouts; the percentile is refreshed hourly).
            - `new_destination`: a payout above `limits[currency]` goes to a bank account the merchant
            first used (on any recipient) within the last 24 hours.
            - `shared_bank_account`: the payout's bank account is shared by more than `limit` of the
            merchant's recipients.
            - `new_address`: a payout above `limits[currency]` comes from an IP address its API key
            had not been used from before the last 24 hours (a key used from somewhere new).
            - `new_key_burst`: the payouts released by the acting API key within an hour of its
            creation, with this one, are more than `limit` (a burst from a new or rolled key).
        idempotency_key (str | Unset):
        anton_version (UpdateRiskRuleAntonVersion | Unset):
        body (RiskRuleUpdate | Unset): A change to a risk rule; absent fields stay as they are.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | RequestTimeoutError | RiskRule | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]
     """


    kwargs = _get_kwargs(
        rule=rule,
body=body,
idempotency_key=idempotency_key,
anton_version=anton_version,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    rule: RiskRuleName,
    *,
    client: AuthenticatedClient,
    body: RiskRuleUpdate | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    anton_version: UpdateRiskRuleAntonVersion | Unset = UNSET,

) -> BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | RequestTimeoutError | RiskRule | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError | None:
    """ Update a risk rule.

     Changes the rule's state, action or limits in this environment (audited as
    `risk_rule.updated`). Payouts created after the answer, on every node, are assessed with
    it; payouts already held stay held.

    Scope: `risk_rules:write` — not carried by secret keys: create a restricted key with it.
    Takes an `Idempotency-Key`.

    Args:
        rule (RiskRuleName): A risk rule of the catalogue (docs/risk.md). Windows are UTC calendar
            windows; an outflow counts the payouts released to the rail (created into `pending` or
            approved).
            - `payout_amount`: one payout's amount is above `limits[currency]`.
            - `daily_sum`: the sum released today (UTC), with this payout, is above
            `limits[currency]`.
            - `daily_count`: the payouts released today (UTC), with this one, are more than `limit`.
            - `hourly_sum`: the sum released in this clock hour (UTC), with this payout, is above
            `limits[currency]`.
            - `hourly_count`: the payouts released in this clock hour (UTC), with this one, are more
            than `limit`.
            - `bank_details_changed`: a payout above `limits[currency]` goes to a recipient whose bank
            details were changed within the last 24 hours (the classic account-takeover pattern).
            - `amount_vs_history`: the payout's amount is more than `limit` times the 95th percentile
            of the merchant's payouts in that currency over the last 30 days (judged once those hold
            50 payouts; the percentile is refreshed hourly).
            - `new_destination`: a payout above `limits[currency]` goes to a bank account the merchant
            first used (on any recipient) within the last 24 hours.
            - `shared_bank_account`: the payout's bank account is shared by more than `limit` of the
            merchant's recipients.
            - `new_address`: a payout above `limits[currency]` comes from an IP address its API key
            had not been used from before the last 24 hours (a key used from somewhere new).
            - `new_key_burst`: the payouts released by the acting API key within an hour of its
            creation, with this one, are more than `limit` (a burst from a new or rolled key).
        idempotency_key (str | Unset):
        anton_version (UpdateRiskRuleAntonVersion | Unset):
        body (RiskRuleUpdate | Unset): A change to a risk rule; absent fields stay as they are.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | RequestTimeoutError | RiskRule | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError
     """


    return sync_detailed(
        rule=rule,
client=client,
body=body,
idempotency_key=idempotency_key,
anton_version=anton_version,

    ).parsed

async def asyncio_detailed(
    rule: RiskRuleName,
    *,
    client: AuthenticatedClient,
    body: RiskRuleUpdate | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    anton_version: UpdateRiskRuleAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | RequestTimeoutError | RiskRule | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]:
    """ Update a risk rule.

     Changes the rule's state, action or limits in this environment (audited as
    `risk_rule.updated`). Payouts created after the answer, on every node, are assessed with
    it; payouts already held stay held.

    Scope: `risk_rules:write` — not carried by secret keys: create a restricted key with it.
    Takes an `Idempotency-Key`.

    Args:
        rule (RiskRuleName): A risk rule of the catalogue (docs/risk.md). Windows are UTC calendar
            windows; an outflow counts the payouts released to the rail (created into `pending` or
            approved).
            - `payout_amount`: one payout's amount is above `limits[currency]`.
            - `daily_sum`: the sum released today (UTC), with this payout, is above
            `limits[currency]`.
            - `daily_count`: the payouts released today (UTC), with this one, are more than `limit`.
            - `hourly_sum`: the sum released in this clock hour (UTC), with this payout, is above
            `limits[currency]`.
            - `hourly_count`: the payouts released in this clock hour (UTC), with this one, are more
            than `limit`.
            - `bank_details_changed`: a payout above `limits[currency]` goes to a recipient whose bank
            details were changed within the last 24 hours (the classic account-takeover pattern).
            - `amount_vs_history`: the payout's amount is more than `limit` times the 95th percentile
            of the merchant's payouts in that currency over the last 30 days (judged once those hold
            50 payouts; the percentile is refreshed hourly).
            - `new_destination`: a payout above `limits[currency]` goes to a bank account the merchant
            first used (on any recipient) within the last 24 hours.
            - `shared_bank_account`: the payout's bank account is shared by more than `limit` of the
            merchant's recipients.
            - `new_address`: a payout above `limits[currency]` comes from an IP address its API key
            had not been used from before the last 24 hours (a key used from somewhere new).
            - `new_key_burst`: the payouts released by the acting API key within an hour of its
            creation, with this one, are more than `limit` (a burst from a new or rolled key).
        idempotency_key (str | Unset):
        anton_version (UpdateRiskRuleAntonVersion | Unset):
        body (RiskRuleUpdate | Unset): A change to a risk rule; absent fields stay as they are.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | RequestTimeoutError | RiskRule | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]
     """


    kwargs = _get_kwargs(
        rule=rule,
body=body,
idempotency_key=idempotency_key,
anton_version=anton_version,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    rule: RiskRuleName,
    *,
    client: AuthenticatedClient,
    body: RiskRuleUpdate | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    anton_version: UpdateRiskRuleAntonVersion | Unset = UNSET,

) -> BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | RequestTimeoutError | RiskRule | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError | None:
    """ Update a risk rule.

     Changes the rule's state, action or limits in this environment (audited as
    `risk_rule.updated`). Payouts created after the answer, on every node, are assessed with
    it; payouts already held stay held.

    Scope: `risk_rules:write` — not carried by secret keys: create a restricted key with it.
    Takes an `Idempotency-Key`.

    Args:
        rule (RiskRuleName): A risk rule of the catalogue (docs/risk.md). Windows are UTC calendar
            windows; an outflow counts the payouts released to the rail (created into `pending` or
            approved).
            - `payout_amount`: one payout's amount is above `limits[currency]`.
            - `daily_sum`: the sum released today (UTC), with this payout, is above
            `limits[currency]`.
            - `daily_count`: the payouts released today (UTC), with this one, are more than `limit`.
            - `hourly_sum`: the sum released in this clock hour (UTC), with this payout, is above
            `limits[currency]`.
            - `hourly_count`: the payouts released in this clock hour (UTC), with this one, are more
            than `limit`.
            - `bank_details_changed`: a payout above `limits[currency]` goes to a recipient whose bank
            details were changed within the last 24 hours (the classic account-takeover pattern).
            - `amount_vs_history`: the payout's amount is more than `limit` times the 95th percentile
            of the merchant's payouts in that currency over the last 30 days (judged once those hold
            50 payouts; the percentile is refreshed hourly).
            - `new_destination`: a payout above `limits[currency]` goes to a bank account the merchant
            first used (on any recipient) within the last 24 hours.
            - `shared_bank_account`: the payout's bank account is shared by more than `limit` of the
            merchant's recipients.
            - `new_address`: a payout above `limits[currency]` comes from an IP address its API key
            had not been used from before the last 24 hours (a key used from somewhere new).
            - `new_key_burst`: the payouts released by the acting API key within an hour of its
            creation, with this one, are more than `limit` (a burst from a new or rolled key).
        idempotency_key (str | Unset):
        anton_version (UpdateRiskRuleAntonVersion | Unset):
        body (RiskRuleUpdate | Unset): A change to a risk rule; absent fields stay as they are.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | RequestTimeoutError | RiskRule | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError
     """


    return (await asyncio_detailed(
        rule=rule,
client=client,
body=body,
idempotency_key=idempotency_key,
anton_version=anton_version,

    )).parsed
