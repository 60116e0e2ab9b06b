from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.bad_request_error import BadRequestError
from ...models.event_list import EventList
from ...models.event_type_name import EventTypeName
from ...models.forbidden_error import ForbiddenError
from ...models.internal_server_error_error import InternalServerErrorError
from ...models.list_events_anton_version import ListEventsAntonVersion
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
    type_: EventTypeName | Unset = UNSET,
    object_: str | Unset = UNSET,
    anton_version: ListEventsAntonVersion | Unset = UNSET,

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

    json_type_: str | Unset = UNSET
    if not isinstance(type_, Unset):
        json_type_ = type_.value

    params["type"] = json_type_

    params["object"] = object_


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/events",
        "params": params,
    }


    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BadRequestError | EventList | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    if response.status_code == 200:
        response_200 = EventList.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BadRequestError | EventList | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
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
    type_: EventTypeName | Unset = UNSET,
    object_: str | Unset = UNSET,
    anton_version: ListEventsAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | EventList | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    """ List events.

     Returns a page of events, newest first, each exactly as stored and delivered — optionally only
    those of one type or about one object. Use it to reconcile missed webhooks (also
    `anton listen`). A filter value no event could have (an unknown type, a malformed id) is
    refused with `parameter_invalid`.

    Scope: `events:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        type_ (EventTypeName | Unset): An event type: what an event's `type` says happened, what
            an endpoint's `enabled_events` subscribes to and what `GET /v1/events?type=` filters by.
            (`webhook_endpoint.test`, sent only by `POST /v1/webhook_endpoints/{id}/test`, is not one
            of them: it is never stored, listed or subscribed to.)
            - `recipient.created`: A recipient was created.
            - `recipient.updated`: A recipient's name, email, bank account or metadata changed
            (previous_attributes holds the old values).
            - `recipient.deleted`: A recipient was deleted.
            - `payout.created`: A payout entered pending: it was created, or approved after a review;
            its amount is reserved.
            - `payout.updated`: A payout's description or metadata changed (previous_attributes holds
            the old values).
            - `payout.processing`: The rail took the payout (pending → processing).
            - `payout.paid`: The payout reached the recipient's bank (processing → paid).
            - `payout.failed`: The payout failed; its amount is available again (failure_code says
            why).
            - `payout.canceled`: The payout was canceled, or its review rejected or expired; its
            amount is available again.
            - `payout.returned`: The bank returned a paid payout; its amount is available again.
            - `payout.review_required`: A risk rule held the payout for review (status
            requires_review; its amount is reserved): approve or reject it (review and risk say why).
            - `webhook_endpoint.disabled`: Anton disabled a webhook endpoint (it answered 410, or
            failed for 5 days).
            - `alert.raised`: An alert was raised: a rule noticed something to look at (a revoked key
            in use, a key used from a new address, a failing endpoint…).
            - `alert.resolved`: An alert was resolved: its condition cleared, or it was resolved
            through the API.
            - `delivery.failing`: A webhook delivery keeps failing (raised once, before it is
            exhausted).
            - `delivery.exhausted`: A webhook delivery failed its last scheduled attempt.
            - `delivery.recovered`: A delivery that was failing succeeded.
        object_ (str | Unset):
        anton_version (ListEventsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | EventList | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]
     """


    kwargs = _get_kwargs(
        limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
type_=type_,
object_=object_,
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
    type_: EventTypeName | Unset = UNSET,
    object_: str | Unset = UNSET,
    anton_version: ListEventsAntonVersion | Unset = UNSET,

) -> BadRequestError | EventList | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    """ List events.

     Returns a page of events, newest first, each exactly as stored and delivered — optionally only
    those of one type or about one object. Use it to reconcile missed webhooks (also
    `anton listen`). A filter value no event could have (an unknown type, a malformed id) is
    refused with `parameter_invalid`.

    Scope: `events:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        type_ (EventTypeName | Unset): An event type: what an event's `type` says happened, what
            an endpoint's `enabled_events` subscribes to and what `GET /v1/events?type=` filters by.
            (`webhook_endpoint.test`, sent only by `POST /v1/webhook_endpoints/{id}/test`, is not one
            of them: it is never stored, listed or subscribed to.)
            - `recipient.created`: A recipient was created.
            - `recipient.updated`: A recipient's name, email, bank account or metadata changed
            (previous_attributes holds the old values).
            - `recipient.deleted`: A recipient was deleted.
            - `payout.created`: A payout entered pending: it was created, or approved after a review;
            its amount is reserved.
            - `payout.updated`: A payout's description or metadata changed (previous_attributes holds
            the old values).
            - `payout.processing`: The rail took the payout (pending → processing).
            - `payout.paid`: The payout reached the recipient's bank (processing → paid).
            - `payout.failed`: The payout failed; its amount is available again (failure_code says
            why).
            - `payout.canceled`: The payout was canceled, or its review rejected or expired; its
            amount is available again.
            - `payout.returned`: The bank returned a paid payout; its amount is available again.
            - `payout.review_required`: A risk rule held the payout for review (status
            requires_review; its amount is reserved): approve or reject it (review and risk say why).
            - `webhook_endpoint.disabled`: Anton disabled a webhook endpoint (it answered 410, or
            failed for 5 days).
            - `alert.raised`: An alert was raised: a rule noticed something to look at (a revoked key
            in use, a key used from a new address, a failing endpoint…).
            - `alert.resolved`: An alert was resolved: its condition cleared, or it was resolved
            through the API.
            - `delivery.failing`: A webhook delivery keeps failing (raised once, before it is
            exhausted).
            - `delivery.exhausted`: A webhook delivery failed its last scheduled attempt.
            - `delivery.recovered`: A delivery that was failing succeeded.
        object_ (str | Unset):
        anton_version (ListEventsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | EventList | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError
     """


    return sync_detailed(
        client=client,
limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
type_=type_,
object_=object_,
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
    type_: EventTypeName | Unset = UNSET,
    object_: str | Unset = UNSET,
    anton_version: ListEventsAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | EventList | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    """ List events.

     Returns a page of events, newest first, each exactly as stored and delivered — optionally only
    those of one type or about one object. Use it to reconcile missed webhooks (also
    `anton listen`). A filter value no event could have (an unknown type, a malformed id) is
    refused with `parameter_invalid`.

    Scope: `events:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        type_ (EventTypeName | Unset): An event type: what an event's `type` says happened, what
            an endpoint's `enabled_events` subscribes to and what `GET /v1/events?type=` filters by.
            (`webhook_endpoint.test`, sent only by `POST /v1/webhook_endpoints/{id}/test`, is not one
            of them: it is never stored, listed or subscribed to.)
            - `recipient.created`: A recipient was created.
            - `recipient.updated`: A recipient's name, email, bank account or metadata changed
            (previous_attributes holds the old values).
            - `recipient.deleted`: A recipient was deleted.
            - `payout.created`: A payout entered pending: it was created, or approved after a review;
            its amount is reserved.
            - `payout.updated`: A payout's description or metadata changed (previous_attributes holds
            the old values).
            - `payout.processing`: The rail took the payout (pending → processing).
            - `payout.paid`: The payout reached the recipient's bank (processing → paid).
            - `payout.failed`: The payout failed; its amount is available again (failure_code says
            why).
            - `payout.canceled`: The payout was canceled, or its review rejected or expired; its
            amount is available again.
            - `payout.returned`: The bank returned a paid payout; its amount is available again.
            - `payout.review_required`: A risk rule held the payout for review (status
            requires_review; its amount is reserved): approve or reject it (review and risk say why).
            - `webhook_endpoint.disabled`: Anton disabled a webhook endpoint (it answered 410, or
            failed for 5 days).
            - `alert.raised`: An alert was raised: a rule noticed something to look at (a revoked key
            in use, a key used from a new address, a failing endpoint…).
            - `alert.resolved`: An alert was resolved: its condition cleared, or it was resolved
            through the API.
            - `delivery.failing`: A webhook delivery keeps failing (raised once, before it is
            exhausted).
            - `delivery.exhausted`: A webhook delivery failed its last scheduled attempt.
            - `delivery.recovered`: A delivery that was failing succeeded.
        object_ (str | Unset):
        anton_version (ListEventsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | EventList | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]
     """


    kwargs = _get_kwargs(
        limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
type_=type_,
object_=object_,
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
    type_: EventTypeName | Unset = UNSET,
    object_: str | Unset = UNSET,
    anton_version: ListEventsAntonVersion | Unset = UNSET,

) -> BadRequestError | EventList | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    """ List events.

     Returns a page of events, newest first, each exactly as stored and delivered — optionally only
    those of one type or about one object. Use it to reconcile missed webhooks (also
    `anton listen`). A filter value no event could have (an unknown type, a malformed id) is
    refused with `parameter_invalid`.

    Scope: `events:read`.

    Args:
        limit (int | Unset):  Default: 20.
        starting_after (str | Unset):
        ending_before (str | Unset):
        createdgte (datetime.datetime | int | Unset): Only objects created at or after this time:
            an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
        createdlt (datetime.datetime | int | Unset): Only objects created before this time: an RFC
            3339 time or unix seconds (`parameter_invalid` otherwise).
        type_ (EventTypeName | Unset): An event type: what an event's `type` says happened, what
            an endpoint's `enabled_events` subscribes to and what `GET /v1/events?type=` filters by.
            (`webhook_endpoint.test`, sent only by `POST /v1/webhook_endpoints/{id}/test`, is not one
            of them: it is never stored, listed or subscribed to.)
            - `recipient.created`: A recipient was created.
            - `recipient.updated`: A recipient's name, email, bank account or metadata changed
            (previous_attributes holds the old values).
            - `recipient.deleted`: A recipient was deleted.
            - `payout.created`: A payout entered pending: it was created, or approved after a review;
            its amount is reserved.
            - `payout.updated`: A payout's description or metadata changed (previous_attributes holds
            the old values).
            - `payout.processing`: The rail took the payout (pending → processing).
            - `payout.paid`: The payout reached the recipient's bank (processing → paid).
            - `payout.failed`: The payout failed; its amount is available again (failure_code says
            why).
            - `payout.canceled`: The payout was canceled, or its review rejected or expired; its
            amount is available again.
            - `payout.returned`: The bank returned a paid payout; its amount is available again.
            - `payout.review_required`: A risk rule held the payout for review (status
            requires_review; its amount is reserved): approve or reject it (review and risk say why).
            - `webhook_endpoint.disabled`: Anton disabled a webhook endpoint (it answered 410, or
            failed for 5 days).
            - `alert.raised`: An alert was raised: a rule noticed something to look at (a revoked key
            in use, a key used from a new address, a failing endpoint…).
            - `alert.resolved`: An alert was resolved: its condition cleared, or it was resolved
            through the API.
            - `delivery.failing`: A webhook delivery keeps failing (raised once, before it is
            exhausted).
            - `delivery.exhausted`: A webhook delivery failed its last scheduled attempt.
            - `delivery.recovered`: A delivery that was failing succeeded.
        object_ (str | Unset):
        anton_version (ListEventsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | EventList | ForbiddenError | InternalServerErrorError | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError
     """


    return (await asyncio_detailed(
        client=client,
limit=limit,
starting_after=starting_after,
ending_before=ending_before,
createdgte=createdgte,
createdlt=createdlt,
type_=type_,
object_=object_,
anton_version=anton_version,

    )).parsed
