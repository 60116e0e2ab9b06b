from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.bad_request_error import BadRequestError
from ...models.serve_anton_version import ServeAntonVersion
from ...models.serve_response_200 import ServeResponse200
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    anton_version: ServeAntonVersion | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(anton_version, Unset):
        headers["Anton-Version"] = str(anton_version)




    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/openapi.json",
    }


    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BadRequestError | ServeResponse200 | None:
    if response.status_code == 200:
        response_200 = ServeResponse200.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = BadRequestError.from_dict(response.json())



        return response_400

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BadRequestError | ServeResponse200]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    anton_version: ServeAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ServeResponse200]:
    """ This document.

     The OpenAPI 3.1 document of this API, the same as `docs/openapi.json` in the source. No API
    key needed.

    Args:
        anton_version (ServeAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ServeResponse200]
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
    anton_version: ServeAntonVersion | Unset = UNSET,

) -> BadRequestError | ServeResponse200 | None:
    """ This document.

     The OpenAPI 3.1 document of this API, the same as `docs/openapi.json` in the source. No API
    key needed.

    Args:
        anton_version (ServeAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ServeResponse200
     """


    return sync_detailed(
        client=client,
anton_version=anton_version,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    anton_version: ServeAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ServeResponse200]:
    """ This document.

     The OpenAPI 3.1 document of this API, the same as `docs/openapi.json` in the source. No API
    key needed.

    Args:
        anton_version (ServeAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ServeResponse200]
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
    anton_version: ServeAntonVersion | Unset = UNSET,

) -> BadRequestError | ServeResponse200 | None:
    """ This document.

     The OpenAPI 3.1 document of this API, the same as `docs/openapi.json` in the source. No API
    key needed.

    Args:
        anton_version (ServeAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ServeResponse200
     """


    return (await asyncio_detailed(
        client=client,
anton_version=anton_version,

    )).parsed
