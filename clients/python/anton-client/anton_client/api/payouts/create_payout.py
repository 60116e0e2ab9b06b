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
from ...models.create_payout_anton_version import CreatePayoutAntonVersion
from ...models.forbidden_error import ForbiddenError
from ...models.internal_server_error_error import InternalServerErrorError
from ...models.payout import Payout
from ...models.payout_create import PayoutCreate
from ...models.request_timeout_error import RequestTimeoutError
from ...models.service_unavailable_error import ServiceUnavailableError
from ...models.too_many_requests_error import TooManyRequestsError
from ...models.unauthorized_error import UnauthorizedError
from ...models.unprocessable_content_error import UnprocessableContentError
from ...models.unsupported_media_type_error import UnsupportedMediaTypeError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    body: PayoutCreate,
    idempotency_key: str | Unset = UNSET,
    anton_version: CreatePayoutAntonVersion | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    if not isinstance(anton_version, Unset):
        headers["Anton-Version"] = str(anton_version)




    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/payouts",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError | None:
    if response.status_code == 200:
        response_200 = Payout.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: PayoutCreate,
    idempotency_key: str | Unset = UNSET,
    anton_version: CreatePayoutAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]:
    """ Create a payout.

     Pays `amount` to the recipient's bank account, in its currency. The amount is reserved from
    the available balance at once (a `payout` balance transaction, available → in_flight) and the
    payout starts `pending`; the rail then moves it (`payout.processing`, `payout.paid` or
    `payout.failed`). Refused with `insufficient_funds` when the available balance does not cover
    it, and in live mode with `live_rail_not_configured` when the deployment has no live rail for
    the currency (docs/live-payouts.md). Raises
    `payout.created`. In test mode, the recipient account's last four digits choose the outcome
    (docs/reference.md §3 "Rails").

    Scope: `payouts:write`. Takes an `Idempotency-Key` — a retry of a failed payout is a new
    payout with a new key.

    Args:
        idempotency_key (str | Unset):
        anton_version (CreatePayoutAntonVersion | Unset):
        body (PayoutCreate): A new payout: an amount, in the currency of the recipient's bank
            account.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]
     """


    kwargs = _get_kwargs(
        body=body,
idempotency_key=idempotency_key,
anton_version=anton_version,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    body: PayoutCreate,
    idempotency_key: str | Unset = UNSET,
    anton_version: CreatePayoutAntonVersion | Unset = UNSET,

) -> BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError | None:
    """ Create a payout.

     Pays `amount` to the recipient's bank account, in its currency. The amount is reserved from
    the available balance at once (a `payout` balance transaction, available → in_flight) and the
    payout starts `pending`; the rail then moves it (`payout.processing`, `payout.paid` or
    `payout.failed`). Refused with `insufficient_funds` when the available balance does not cover
    it, and in live mode with `live_rail_not_configured` when the deployment has no live rail for
    the currency (docs/live-payouts.md). Raises
    `payout.created`. In test mode, the recipient account's last four digits choose the outcome
    (docs/reference.md §3 "Rails").

    Scope: `payouts:write`. Takes an `Idempotency-Key` — a retry of a failed payout is a new
    payout with a new key.

    Args:
        idempotency_key (str | Unset):
        anton_version (CreatePayoutAntonVersion | Unset):
        body (PayoutCreate): A new payout: an amount, in the currency of the recipient's bank
            account.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError
     """


    return sync_detailed(
        client=client,
body=body,
idempotency_key=idempotency_key,
anton_version=anton_version,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: PayoutCreate,
    idempotency_key: str | Unset = UNSET,
    anton_version: CreatePayoutAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]:
    """ Create a payout.

     Pays `amount` to the recipient's bank account, in its currency. The amount is reserved from
    the available balance at once (a `payout` balance transaction, available → in_flight) and the
    payout starts `pending`; the rail then moves it (`payout.processing`, `payout.paid` or
    `payout.failed`). Refused with `insufficient_funds` when the available balance does not cover
    it, and in live mode with `live_rail_not_configured` when the deployment has no live rail for
    the currency (docs/live-payouts.md). Raises
    `payout.created`. In test mode, the recipient account's last four digits choose the outcome
    (docs/reference.md §3 "Rails").

    Scope: `payouts:write`. Takes an `Idempotency-Key` — a retry of a failed payout is a new
    payout with a new key.

    Args:
        idempotency_key (str | Unset):
        anton_version (CreatePayoutAntonVersion | Unset):
        body (PayoutCreate): A new payout: an amount, in the currency of the recipient's bank
            account.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]
     """


    kwargs = _get_kwargs(
        body=body,
idempotency_key=idempotency_key,
anton_version=anton_version,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    body: PayoutCreate,
    idempotency_key: str | Unset = UNSET,
    anton_version: CreatePayoutAntonVersion | Unset = UNSET,

) -> BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError | None:
    """ Create a payout.

     Pays `amount` to the recipient's bank account, in its currency. The amount is reserved from
    the available balance at once (a `payout` balance transaction, available → in_flight) and the
    payout starts `pending`; the rail then moves it (`payout.processing`, `payout.paid` or
    `payout.failed`). Refused with `insufficient_funds` when the available balance does not cover
    it, and in live mode with `live_rail_not_configured` when the deployment has no live rail for
    the currency (docs/live-payouts.md). Raises
    `payout.created`. In test mode, the recipient account's last four digits choose the outcome
    (docs/reference.md §3 "Rails").

    Scope: `payouts:write`. Takes an `Idempotency-Key` — a retry of a failed payout is a new
    payout with a new key.

    Args:
        idempotency_key (str | Unset):
        anton_version (CreatePayoutAntonVersion | Unset):
        body (PayoutCreate): A new payout: an amount, in the currency of the recipient's bank
            account.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError
     """


    return (await asyncio_detailed(
        client=client,
body=body,
idempotency_key=idempotency_key,
anton_version=anton_version,

    )).parsed
