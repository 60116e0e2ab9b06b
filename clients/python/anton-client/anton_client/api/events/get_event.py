from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.alert_event import AlertEvent
from ...models.bad_request_error import BadRequestError
from ...models.forbidden_error import ForbiddenError
from ...models.get_event_anton_version import GetEventAntonVersion
from ...models.internal_server_error_error import InternalServerErrorError
from ...models.not_found_error import NotFoundError
from ...models.payout_event import PayoutEvent
from ...models.recipient_event import RecipientEvent
from ...models.service_unavailable_error import ServiceUnavailableError
from ...models.too_many_requests_error import TooManyRequestsError
from ...models.unauthorized_error import UnauthorizedError
from ...models.webhook_delivery_event import WebhookDeliveryEvent
from ...models.webhook_endpoint_event import WebhookEndpointEvent
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    id: str,
    *,
    anton_version: GetEventAntonVersion | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(anton_version, Unset):
        headers["Anton-Version"] = str(anton_version)




    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/events/{id}".format(id=quote(str(id), safe=""),),
    }


    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AlertEvent | PayoutEvent | RecipientEvent | WebhookDeliveryEvent | WebhookEndpointEvent | BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    if response.status_code == 200:
        def _parse_response_200(data: object) -> AlertEvent | PayoutEvent | RecipientEvent | WebhookDeliveryEvent | WebhookEndpointEvent:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_0 = RecipientEvent.from_dict(data)



                return componentsschemas_event_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_1 = PayoutEvent.from_dict(data)



                return componentsschemas_event_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_2 = WebhookEndpointEvent.from_dict(data)



                return componentsschemas_event_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_3 = WebhookDeliveryEvent.from_dict(data)



                return componentsschemas_event_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_event_type_4 = AlertEvent.from_dict(data)



            return componentsschemas_event_type_4

        response_200 = _parse_response_200(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AlertEvent | PayoutEvent | RecipientEvent | WebhookDeliveryEvent | WebhookEndpointEvent | BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
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
    anton_version: GetEventAntonVersion | Unset = UNSET,

) -> Response[AlertEvent | PayoutEvent | RecipientEvent | WebhookDeliveryEvent | WebhookEndpointEvent | BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    """ Retrieve an event.

     Returns the event exactly as it was stored and delivered (the same bytes every delivery
    carried). Test events (`webhook_endpoint.test`) are never stored.

    Scope: `events:read`.

    Args:
        id (str): The id of an event: `evt_` and 24 base62 characters (time-ordered). A malformed
            id in a path is a 404; in a filter, a 400.
        anton_version (GetEventAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AlertEvent | PayoutEvent | RecipientEvent | WebhookDeliveryEvent | WebhookEndpointEvent | BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]
     """


    kwargs = _get_kwargs(
        id=id,
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
    anton_version: GetEventAntonVersion | Unset = UNSET,

) -> AlertEvent | PayoutEvent | RecipientEvent | WebhookDeliveryEvent | WebhookEndpointEvent | BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    """ Retrieve an event.

     Returns the event exactly as it was stored and delivered (the same bytes every delivery
    carried). Test events (`webhook_endpoint.test`) are never stored.

    Scope: `events:read`.

    Args:
        id (str): The id of an event: `evt_` and 24 base62 characters (time-ordered). A malformed
            id in a path is a 404; in a filter, a 400.
        anton_version (GetEventAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AlertEvent | PayoutEvent | RecipientEvent | WebhookDeliveryEvent | WebhookEndpointEvent | BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError
     """


    return sync_detailed(
        id=id,
client=client,
anton_version=anton_version,

    ).parsed

async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    anton_version: GetEventAntonVersion | Unset = UNSET,

) -> Response[AlertEvent | PayoutEvent | RecipientEvent | WebhookDeliveryEvent | WebhookEndpointEvent | BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    """ Retrieve an event.

     Returns the event exactly as it was stored and delivered (the same bytes every delivery
    carried). Test events (`webhook_endpoint.test`) are never stored.

    Scope: `events:read`.

    Args:
        id (str): The id of an event: `evt_` and 24 base62 characters (time-ordered). A malformed
            id in a path is a 404; in a filter, a 400.
        anton_version (GetEventAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AlertEvent | PayoutEvent | RecipientEvent | WebhookDeliveryEvent | WebhookEndpointEvent | BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]
     """


    kwargs = _get_kwargs(
        id=id,
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
    anton_version: GetEventAntonVersion | Unset = UNSET,

) -> AlertEvent | PayoutEvent | RecipientEvent | WebhookDeliveryEvent | WebhookEndpointEvent | BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    """ Retrieve an event.

     Returns the event exactly as it was stored and delivered (the same bytes every delivery
    carried). Test events (`webhook_endpoint.test`) are never stored.

    Scope: `events:read`.

    Args:
        id (str): The id of an event: `evt_` and 24 base62 characters (time-ordered). A malformed
            id in a path is a 404; in a filter, a 400.
        anton_version (GetEventAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AlertEvent | PayoutEvent | RecipientEvent | WebhookDeliveryEvent | WebhookEndpointEvent | BadRequestError | ForbiddenError | InternalServerErrorError | NotFoundError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError
     """


    return (await asyncio_detailed(
        id=id,
client=client,
anton_version=anton_version,

    )).parsed
