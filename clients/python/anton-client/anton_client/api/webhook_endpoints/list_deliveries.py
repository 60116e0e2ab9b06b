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
from ...models.list_deliveries_anton_version import ListDeliveriesAntonVersion
from ...models.not_found_error import NotFoundError
from ...models.service_unavailable_error import ServiceUnavailableError
from ...models.too_many_requests_error import TooManyRequestsError
from ...models.unauthorized_error import UnauthorizedError
from ...models.webhook_delivery_list import WebhookDeliveryList
from ...models.webhook_delivery_status import WebhookDeliveryStatus
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    id: str,
    *,
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
    ending_before: str | Unset = UNSET,
    createdgte: datetime.datetime | int | Unset = UNSET,
    createdlt: datetime.datetime | int | Unset = UNSET,
    status: WebhookDeliveryStatus | Unset = UNSET,
    event: str | Unset = UNSET,
    anton_version: ListDeliveriesAntonVersion | Unset = UNSET,

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

    params["event"] = event


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/webhook_endpoints/{id}/deliveries".format(id=quote(str(id), safe=""),),
        "params": params,
    }


    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | WebhookDeliveryList | None:
    if response.status_code == 200:
        response_200 = WebhookDeliveryList.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | WebhookDeliveryList]:
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
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
    ending_before: str | Unset = UNSET,
    createdgte: datetime.datetime | int | Unset = UNSET,
    createdlt: datetime.datetime | int | Unset = UNSET,
    status: WebhookDeliveryStatus | Unset = UNSET,
    event: str | Unset = UNSET,
    anton_version: ListDeliveriesAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | WebhookDeliveryList]:
    """ List an endpoint's deliveries.

     Returns a page of the endpoint's deliveries, newest first, each with its attempt log (start
    time, status code, latency, the first 1 KiB of the answer, why it failed) — optionally only
    those in one status or of one event.

    Scope: `webhooks:read`.

    Args:
        id (str): The id of a webhook endpoint: `we_` and 24 base62 characters (time-ordered). A
            malformed id in a path is a 404; in a filter, a 400.
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (WebhookDeliveryStatus | Unset): `pending`: not attempted yet. `retrying`: an
            attempt failed and another is scheduled (`next_attempt`). `succeeded`: an attempt got a
            2xx. `exhausted`: the retry schedule ran out, or the endpoint answered `410 Gone`.
            `canceled`: the endpoint was deleted before the delivery succeeded.
        event (str | Unset): The id of an event: `evt_` and 24 base62 characters (time-ordered). A
            malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListDeliveriesAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | WebhookDeliveryList]
     """


    kwargs = _get_kwargs(
        id=id,
limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
event=event,
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
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
    ending_before: str | Unset = UNSET,
    createdgte: datetime.datetime | int | Unset = UNSET,
    createdlt: datetime.datetime | int | Unset = UNSET,
    status: WebhookDeliveryStatus | Unset = UNSET,
    event: str | Unset = UNSET,
    anton_version: ListDeliveriesAntonVersion | Unset = UNSET,

) -> BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | WebhookDeliveryList | None:
    """ List an endpoint's deliveries.

     Returns a page of the endpoint's deliveries, newest first, each with its attempt log (start
    time, status code, latency, the first 1 KiB of the answer, why it failed) — optionally only
    those in one status or of one event.

    Scope: `webhooks:read`.

    Args:
        id (str): The id of a webhook endpoint: `we_` and 24 base62 characters (time-ordered). A
            malformed id in a path is a 404; in a filter, a 400.
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (WebhookDeliveryStatus | Unset): `pending`: not attempted yet. `retrying`: an
            attempt failed and another is scheduled (`next_attempt`). `succeeded`: an attempt got a
            2xx. `exhausted`: the retry schedule ran out, or the endpoint answered `410 Gone`.
            `canceled`: the endpoint was deleted before the delivery succeeded.
        event (str | Unset): The id of an event: `evt_` and 24 base62 characters (time-ordered). A
            malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListDeliveriesAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | WebhookDeliveryList
     """


    return sync_detailed(
        id=id,
client=client,
limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
event=event,
anton_version=anton_version,

    ).parsed

async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
    ending_before: str | Unset = UNSET,
    createdgte: datetime.datetime | int | Unset = UNSET,
    createdlt: datetime.datetime | int | Unset = UNSET,
    status: WebhookDeliveryStatus | Unset = UNSET,
    event: str | Unset = UNSET,
    anton_version: ListDeliveriesAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | WebhookDeliveryList]:
    """ List an endpoint's deliveries.

     Returns a page of the endpoint's deliveries, newest first, each with its attempt log (start
    time, status code, latency, the first 1 KiB of the answer, why it failed) — optionally only
    those in one status or of one event.

    Scope: `webhooks:read`.

    Args:
        id (str): The id of a webhook endpoint: `we_` and 24 base62 characters (time-ordered). A
            malformed id in a path is a 404; in a filter, a 400.
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (WebhookDeliveryStatus | Unset): `pending`: not attempted yet. `retrying`: an
            attempt failed and another is scheduled (`next_attempt`). `succeeded`: an attempt got a
            2xx. `exhausted`: the retry schedule ran out, or the endpoint answered `410 Gone`.
            `canceled`: the endpoint was deleted before the delivery succeeded.
        event (str | Unset): The id of an event: `evt_` and 24 base62 characters (time-ordered). A
            malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListDeliveriesAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | WebhookDeliveryList]
     """


    kwargs = _get_kwargs(
        id=id,
limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
event=event,
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
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
    ending_before: str | Unset = UNSET,
    createdgte: datetime.datetime | int | Unset = UNSET,
    createdlt: datetime.datetime | int | Unset = UNSET,
    status: WebhookDeliveryStatus | Unset = UNSET,
    event: str | Unset = UNSET,
    anton_version: ListDeliveriesAntonVersion | Unset = UNSET,

) -> BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | WebhookDeliveryList | None:
    """ List an endpoint's deliveries.

     Returns a page of the endpoint's deliveries, newest first, each with its attempt log (start
    time, status code, latency, the first 1 KiB of the answer, why it failed) — optionally only
    those in one status or of one event.

    Scope: `webhooks:read`.

    Args:
        id (str): The id of a webhook endpoint: `we_` and 24 base62 characters (time-ordered). A
            malformed id in a path is a 404; in a filter, a 400.
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        status (WebhookDeliveryStatus | Unset): `pending`: not attempted yet. `retrying`: an
            attempt failed and another is scheduled (`next_attempt`). `succeeded`: an attempt got a
            2xx. `exhausted`: the retry schedule ran out, or the endpoint answered `410 Gone`.
            `canceled`: the endpoint was deleted before the delivery succeeded.
        event (str | Unset): The id of an event: `evt_` and 24 base62 characters (time-ordered). A
            malformed id in a path is a 404; in a filter, a 400.
        anton_version (ListDeliveriesAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | WebhookDeliveryList
     """


    return (await asyncio_detailed(
        id=id,
client=client,
limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
status=status,
event=event,
anton_version=anton_version,

    )).parsed
