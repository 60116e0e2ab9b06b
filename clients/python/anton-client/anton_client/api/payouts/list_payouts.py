from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.bad_request_error import BadRequestError
from ...models.forbidden_error import ForbiddenError
from ...models.internal_server_error_error import InternalServerErrorError
from ...models.list_payouts_anton_version import ListPayoutsAntonVersion
from ...models.payout_list import PayoutList
from ...models.payout_status import PayoutStatus
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
    status: PayoutStatus | Unset = UNSET,
    recipient: str | Unset = UNSET,
    anton_version: ListPayoutsAntonVersion | Unset = UNSET,

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

    params["recipient"] = recipient


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/payouts",
        "params": params,
    }


    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BadRequestError | ForbiddenError | InternalServerErrorError | PayoutList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    if response.status_code == 200:
        response_200 = PayoutList.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BadRequestError | ForbiddenError | InternalServerErrorError | PayoutList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
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
    status: PayoutStatus | Unset = UNSET,
    recipient: str | Unset = UNSET,
    anton_version: ListPayoutsAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ForbiddenError | InternalServerErrorError | PayoutList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    """ List payouts.

     Returns a page of payouts, newest first, optionally only those in one status or to one
    recipient. A filter value no payout could have (an unknown status, a malformed id) is refused
    with `parameter_invalid`; a well-formed recipient id that matches nothing gives an empty page.

    Scope: `payouts:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (PayoutStatus | Unset): Where a payout is in its lifecycle: `pending` →
            `processing` → `paid` (→ `returned`), or `failed`; `canceled` only from `pending`, by the
            merchant; a payout a risk rule holds starts in `requires_review`. `failed`, `canceled` and
            `returned` are final.
            - `pending`: created; its amount is reserved (in_flight)
            - `requires_review`: held by a risk rule until a second key approves it (→ `pending`) or
            rejects it (→ `canceled`); its amount is reserved (in_flight)
            - `processing`: the rail took it
            - `paid`: the money reached the recipient's bank
            - `failed`: the rail could not pay it; the amount is available again
            - `canceled`: canceled by the merchant; the amount is available again
            - `returned`: the bank sent a paid payout back; the amount is available again
        recipient (str | Unset): The id of a recipient: `rcp_` and 24 base62 characters (time-
            ordered). A malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListPayoutsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ForbiddenError | InternalServerErrorError | PayoutList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]
     """


    kwargs = _get_kwargs(
        limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
recipient=recipient,
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
    status: PayoutStatus | Unset = UNSET,
    recipient: str | Unset = UNSET,
    anton_version: ListPayoutsAntonVersion | Unset = UNSET,

) -> BadRequestError | ForbiddenError | InternalServerErrorError | PayoutList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    """ List payouts.

     Returns a page of payouts, newest first, optionally only those in one status or to one
    recipient. A filter value no payout could have (an unknown status, a malformed id) is refused
    with `parameter_invalid`; a well-formed recipient id that matches nothing gives an empty page.

    Scope: `payouts:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (PayoutStatus | Unset): Where a payout is in its lifecycle: `pending` →
            `processing` → `paid` (→ `returned`), or `failed`; `canceled` only from `pending`, by the
            merchant; a payout a risk rule holds starts in `requires_review`. `failed`, `canceled` and
            `returned` are final.
            - `pending`: created; its amount is reserved (in_flight)
            - `requires_review`: held by a risk rule until a second key approves it (→ `pending`) or
            rejects it (→ `canceled`); its amount is reserved (in_flight)
            - `processing`: the rail took it
            - `paid`: the money reached the recipient's bank
            - `failed`: the rail could not pay it; the amount is available again
            - `canceled`: canceled by the merchant; the amount is available again
            - `returned`: the bank sent a paid payout back; the amount is available again
        recipient (str | Unset): The id of a recipient: `rcp_` and 24 base62 characters (time-
            ordered). A malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListPayoutsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ForbiddenError | InternalServerErrorError | PayoutList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError
     """


    return sync_detailed(
        client=client,
limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
recipient=recipient,
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
    status: PayoutStatus | Unset = UNSET,
    recipient: str | Unset = UNSET,
    anton_version: ListPayoutsAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ForbiddenError | InternalServerErrorError | PayoutList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    """ List payouts.

     Returns a page of payouts, newest first, optionally only those in one status or to one
    recipient. A filter value no payout could have (an unknown status, a malformed id) is refused
    with `parameter_invalid`; a well-formed recipient id that matches nothing gives an empty page.

    Scope: `payouts:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (PayoutStatus | Unset): Where a payout is in its lifecycle: `pending` →
            `processing` → `paid` (→ `returned`), or `failed`; `canceled` only from `pending`, by the
            merchant; a payout a risk rule holds starts in `requires_review`. `failed`, `canceled` and
            `returned` are final.
            - `pending`: created; its amount is reserved (in_flight)
            - `requires_review`: held by a risk rule until a second key approves it (→ `pending`) or
            rejects it (→ `canceled`); its amount is reserved (in_flight)
            - `processing`: the rail took it
            - `paid`: the money reached the recipient's bank
            - `failed`: the rail could not pay it; the amount is available again
            - `canceled`: canceled by the merchant; the amount is available again
            - `returned`: the bank sent a paid payout back; the amount is available again
        recipient (str | Unset): The id of a recipient: `rcp_` and 24 base62 characters (time-
            ordered). A malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListPayoutsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ForbiddenError | InternalServerErrorError | PayoutList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]
     """


    kwargs = _get_kwargs(
        limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
recipient=recipient,
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
    status: PayoutStatus | Unset = UNSET,
    recipient: str | Unset = UNSET,
    anton_version: ListPayoutsAntonVersion | Unset = UNSET,

) -> BadRequestError | ForbiddenError | InternalServerErrorError | PayoutList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    """ List payouts.

     Returns a page of payouts, newest first, optionally only those in one status or to one
    recipient. A filter value no payout could have (an unknown status, a malformed id) is refused
    with `parameter_invalid`; a well-formed recipient id that matches nothing gives an empty page.

    Scope: `payouts:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (PayoutStatus | Unset): Where a payout is in its lifecycle: `pending` →
            `processing` → `paid` (→ `returned`), or `failed`; `canceled` only from `pending`, by the
            merchant; a payout a risk rule holds starts in `requires_review`. `failed`, `canceled` and
            `returned` are final.
            - `pending`: created; its amount is reserved (in_flight)
            - `requires_review`: held by a risk rule until a second key approves it (→ `pending`) or
            rejects it (→ `canceled`); its amount is reserved (in_flight)
            - `processing`: the rail took it
            - `paid`: the money reached the recipient's bank
            - `failed`: the rail could not pay it; the amount is available again
            - `canceled`: canceled by the merchant; the amount is available again
            - `returned`: the bank sent a paid payout back; the amount is available again
        recipient (str | Unset): The id of a recipient: `rcp_` and 24 base62 characters (time-
            ordered). A malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListPayoutsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ForbiddenError | InternalServerErrorError | PayoutList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError
     """


    return (await asyncio_detailed(
        client=client,
limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
recipient=recipient,
anton_version=anton_version,

    )).parsed
