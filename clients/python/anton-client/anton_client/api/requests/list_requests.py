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
from ...models.list_requests_anton_version import ListRequestsAntonVersion
from ...models.request_list import RequestList
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
    status: str | Unset = UNSET,
    route: str | Unset = UNSET,
    method: str | Unset = UNSET,
    api_key: str | Unset = UNSET,
    anton_version: ListRequestsAntonVersion | Unset = UNSET,

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

    params["status"] = status

    params["route"] = route

    params["method"] = method

    params["api_key"] = api_key


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/requests",
        "params": params,
    }


    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BadRequestError | ForbiddenError | InternalServerErrorError | RequestList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    if response.status_code == 200:
        response_200 = RequestList.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BadRequestError | ForbiddenError | InternalServerErrorError | RequestList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
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
    status: str | Unset = UNSET,
    route: str | Unset = UNSET,
    method: str | Unset = UNSET,
    api_key: str | Unset = UNSET,
    anton_version: ListRequestsAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ForbiddenError | InternalServerErrorError | RequestList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    """ List requests.

     Returns a page of the API requests made with this environment's keys, newest first: each
    with its status, error code, key id, client address, user agent, duration and
    Idempotency-Key — never a body, a key or bank details. A request is listed within about a
    second of its answer, also when its key was revoked or expired (a request with a missing or
    unknown key belongs to no merchant and is not listed). Entries are kept 30 days unless the
    operator configured otherwise. `anton logs tail` follows this list.

    Scope: `requests:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (str | Unset):
        route (str | Unset):
        method (str | Unset):
        api_key (str | Unset): The id of an API key: `key_` and 24 base62 characters (time-
            ordered). A malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListRequestsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ForbiddenError | InternalServerErrorError | RequestList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]
     """


    kwargs = _get_kwargs(
        limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
route=route,
method=method,
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
    status: str | Unset = UNSET,
    route: str | Unset = UNSET,
    method: str | Unset = UNSET,
    api_key: str | Unset = UNSET,
    anton_version: ListRequestsAntonVersion | Unset = UNSET,

) -> BadRequestError | ForbiddenError | InternalServerErrorError | RequestList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    """ List requests.

     Returns a page of the API requests made with this environment's keys, newest first: each
    with its status, error code, key id, client address, user agent, duration and
    Idempotency-Key — never a body, a key or bank details. A request is listed within about a
    second of its answer, also when its key was revoked or expired (a request with a missing or
    unknown key belongs to no merchant and is not listed). Entries are kept 30 days unless the
    operator configured otherwise. `anton logs tail` follows this list.

    Scope: `requests:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (str | Unset):
        route (str | Unset):
        method (str | Unset):
        api_key (str | Unset): The id of an API key: `key_` and 24 base62 characters (time-
            ordered). A malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListRequestsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ForbiddenError | InternalServerErrorError | RequestList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError
     """


    return sync_detailed(
        client=client,
limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
route=route,
method=method,
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
    status: str | Unset = UNSET,
    route: str | Unset = UNSET,
    method: str | Unset = UNSET,
    api_key: str | Unset = UNSET,
    anton_version: ListRequestsAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ForbiddenError | InternalServerErrorError | RequestList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    """ List requests.

     Returns a page of the API requests made with this environment's keys, newest first: each
    with its status, error code, key id, client address, user agent, duration and
    Idempotency-Key — never a body, a key or bank details. A request is listed within about a
    second of its answer, also when its key was revoked or expired (a request with a missing or
    unknown key belongs to no merchant and is not listed). Entries are kept 30 days unless the
    operator configured otherwise. `anton logs tail` follows this list.

    Scope: `requests:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (str | Unset):
        route (str | Unset):
        method (str | Unset):
        api_key (str | Unset): The id of an API key: `key_` and 24 base62 characters (time-
            ordered). A malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListRequestsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ForbiddenError | InternalServerErrorError | RequestList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]
     """


    kwargs = _get_kwargs(
        limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
route=route,
method=method,
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
    status: str | Unset = UNSET,
    route: str | Unset = UNSET,
    method: str | Unset = UNSET,
    api_key: str | Unset = UNSET,
    anton_version: ListRequestsAntonVersion | Unset = UNSET,

) -> BadRequestError | ForbiddenError | InternalServerErrorError | RequestList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    """ List requests.

     Returns a page of the API requests made with this environment's keys, newest first: each
    with its status, error code, key id, client address, user agent, duration and
    Idempotency-Key — never a body, a key or bank details. A request is listed within about a
    second of its answer, also when its key was revoked or expired (a request with a missing or
    unknown key belongs to no merchant and is not listed). Entries are kept 30 days unless the
    operator configured otherwise. `anton logs tail` follows this list.

    Scope: `requests:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (str | Unset):
        route (str | Unset):
        method (str | Unset):
        api_key (str | Unset): The id of an API key: `key_` and 24 base62 characters (time-
            ordered). A malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListRequestsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ForbiddenError | InternalServerErrorError | RequestList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError
     """


    return (await asyncio_detailed(
        client=client,
limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
route=route,
method=method,
api_key=api_key,
anton_version=anton_version,

    )).parsed
