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
from ...models.payout import Payout
from ...models.payout_review_decision import PayoutReviewDecision
from ...models.reject_payout_anton_version import RejectPayoutAntonVersion
from ...models.request_timeout_error import RequestTimeoutError
from ...models.service_unavailable_error import ServiceUnavailableError
from ...models.too_many_requests_error import TooManyRequestsError
from ...models.unauthorized_error import UnauthorizedError
from ...models.unprocessable_content_error import UnprocessableContentError
from ...models.unsupported_media_type_error import UnsupportedMediaTypeError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    id: str,
    *,
    body: PayoutReviewDecision | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    anton_version: RejectPayoutAntonVersion | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    if not isinstance(anton_version, Unset):
        headers["Anton-Version"] = str(anton_version)




    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/payouts/{id}/reject".format(id=quote(str(id), safe=""),),
    }

    
    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError | None:
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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    body: PayoutReviewDecision | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    anton_version: RejectPayoutAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]:
    """ Reject a held payout.

     Cancels a `requires_review` payout: its amount is released to the available balance (a
    `payout_release` balance transaction) and `payout.canceled` is sent. `review` records who
    rejected it, when and why. Any key with `payouts:approve` may reject, its creator included.
    A payout already rejected is answered as it is; any other payout not held is refused with
    `payout_not_in_review`.

    Scope: `payouts:approve`. Takes an `Idempotency-Key`.

    Args:
        id (str): The id of a payout: `po_` and 24 base62 characters (time-ordered). A malformed
            id in a path is a 404; in a filter, a 400.
        idempotency_key (str | Unset):
        anton_version (RejectPayoutAntonVersion | Unset):
        body (PayoutReviewDecision | Unset): A reviewer's decision on a held payout (optional).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]
     """


    kwargs = _get_kwargs(
        id=id,
body=body,
idempotency_key=idempotency_key,
anton_version=anton_version,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    id: str,
    *,
    client: AuthenticatedClient,
    body: PayoutReviewDecision | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    anton_version: RejectPayoutAntonVersion | Unset = UNSET,

) -> BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError | None:
    """ Reject a held payout.

     Cancels a `requires_review` payout: its amount is released to the available balance (a
    `payout_release` balance transaction) and `payout.canceled` is sent. `review` records who
    rejected it, when and why. Any key with `payouts:approve` may reject, its creator included.
    A payout already rejected is answered as it is; any other payout not held is refused with
    `payout_not_in_review`.

    Scope: `payouts:approve`. Takes an `Idempotency-Key`.

    Args:
        id (str): The id of a payout: `po_` and 24 base62 characters (time-ordered). A malformed
            id in a path is a 404; in a filter, a 400.
        idempotency_key (str | Unset):
        anton_version (RejectPayoutAntonVersion | Unset):
        body (PayoutReviewDecision | Unset): A reviewer's decision on a held payout (optional).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError
     """


    return sync_detailed(
        id=id,
client=client,
body=body,
idempotency_key=idempotency_key,
anton_version=anton_version,

    ).parsed

async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    body: PayoutReviewDecision | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    anton_version: RejectPayoutAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]:
    """ Reject a held payout.

     Cancels a `requires_review` payout: its amount is released to the available balance (a
    `payout_release` balance transaction) and `payout.canceled` is sent. `review` records who
    rejected it, when and why. Any key with `payouts:approve` may reject, its creator included.
    A payout already rejected is answered as it is; any other payout not held is refused with
    `payout_not_in_review`.

    Scope: `payouts:approve`. Takes an `Idempotency-Key`.

    Args:
        id (str): The id of a payout: `po_` and 24 base62 characters (time-ordered). A malformed
            id in a path is a 404; in a filter, a 400.
        idempotency_key (str | Unset):
        anton_version (RejectPayoutAntonVersion | Unset):
        body (PayoutReviewDecision | Unset): A reviewer's decision on a held payout (optional).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError]
     """


    kwargs = _get_kwargs(
        id=id,
body=body,
idempotency_key=idempotency_key,
anton_version=anton_version,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient,
    body: PayoutReviewDecision | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    anton_version: RejectPayoutAntonVersion | Unset = UNSET,

) -> BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError | None:
    """ Reject a held payout.

     Cancels a `requires_review` payout: its amount is released to the available balance (a
    `payout_release` balance transaction) and `payout.canceled` is sent. `review` records who
    rejected it, when and why. Any key with `payouts:approve` may reject, its creator included.
    A payout already rejected is answered as it is; any other payout not held is refused with
    `payout_not_in_review`.

    Scope: `payouts:approve`. Takes an `Idempotency-Key`.

    Args:
        id (str): The id of a payout: `po_` and 24 base62 characters (time-ordered). A malformed
            id in a path is a 404; in a filter, a 400.
        idempotency_key (str | Unset):
        anton_version (RejectPayoutAntonVersion | Unset):
        body (PayoutReviewDecision | Unset): A reviewer's decision on a held payout (optional).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ConflictError | ContentTooLargeError | ForbiddenError | InternalServerErrorError | NotFoundError | Payout | RequestTimeoutError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | UnprocessableContentError | UnsupportedMediaTypeError
     """


    return (await asyncio_detailed(
        id=id,
client=client,
body=body,
idempotency_key=idempotency_key,
anton_version=anton_version,

    )).parsed
