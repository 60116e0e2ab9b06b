from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.bad_request_error import BadRequestError
from ...models.egress_ip_list import EgressIpList
from ...models.egress_ips_anton_version import EgressIpsAntonVersion
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    anton_version: EgressIpsAntonVersion | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(anton_version, Unset):
        headers["Anton-Version"] = str(anton_version)




    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/egress_ips",
    }


    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BadRequestError | EgressIpList | None:
    if response.status_code == 200:
        response_200 = EgressIpList.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = BadRequestError.from_dict(response.json())



        return response_400

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BadRequestError | EgressIpList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    anton_version: EgressIpsAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | EgressIpList]:
    """ List the addresses webhooks come from.

     The source addresses webhook deliveries leave from (the operator's `webhooks.egress_ips`),
    for your receiver's firewall: one page with every address. Empty when none is configured (the
    operating system then picks the source address). No API key needed (docs/reference.md §5.4).

    Args:
        anton_version (EgressIpsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | EgressIpList]
     """


    kwargs = _get_kwargs(
        anton_version=anton_version,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    anton_version: EgressIpsAntonVersion | Unset = UNSET,

) -> BadRequestError | EgressIpList | None:
    """ List the addresses webhooks come from.

     The source addresses webhook deliveries leave from (the operator's `webhooks.egress_ips`),
    for your receiver's firewall: one page with every address. Empty when none is configured (the
    operating system then picks the source address). No API key needed (docs/reference.md §5.4).

    Args:
        anton_version (EgressIpsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | EgressIpList
     """


    return sync_detailed(
        client=client,
anton_version=anton_version,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    anton_version: EgressIpsAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | EgressIpList]:
    """ List the addresses webhooks come from.

     The source addresses webhook deliveries leave from (the operator's `webhooks.egress_ips`),
    for your receiver's firewall: one page with every address. Empty when none is configured (the
    operating system then picks the source address). No API key needed (docs/reference.md §5.4).

    Args:
        anton_version (EgressIpsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | EgressIpList]
     """


    kwargs = _get_kwargs(
        anton_version=anton_version,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    anton_version: EgressIpsAntonVersion | Unset = UNSET,

) -> BadRequestError | EgressIpList | None:
    """ List the addresses webhooks come from.

     The source addresses webhook deliveries leave from (the operator's `webhooks.egress_ips`),
    for your receiver's firewall: one page with every address. Empty when none is configured (the
    operating system then picks the source address). No API key needed (docs/reference.md §5.4).

    Args:
        anton_version (EgressIpsAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | EgressIpList
     """


    return (await asyncio_detailed(
        client=client,
anton_version=anton_version,

    )).parsed
