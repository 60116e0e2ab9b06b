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
from ...models.list_risk_rules_anton_version import ListRiskRulesAntonVersion
from ...models.risk_rule_list import RiskRuleList
from ...models.service_unavailable_error import ServiceUnavailableError
from ...models.too_many_requests_error import TooManyRequestsError
from ...models.unauthorized_error import UnauthorizedError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    anton_version: ListRiskRulesAntonVersion | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(anton_version, Unset):
        headers["Anton-Version"] = str(anton_version)




    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/risk_rules",
    }


    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BadRequestError | ForbiddenError | InternalServerErrorError | RiskRuleList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    if response.status_code == 200:
        response_200 = RiskRuleList.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BadRequestError | ForbiddenError | InternalServerErrorError | RiskRuleList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    anton_version: ListRiskRulesAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ForbiddenError | InternalServerErrorError | RiskRuleList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    """ List risk rules.

     Every rule of the catalogue for this environment, in catalogue order: your settings, or the
    defaults (on for every merchant; stricter in live mode). Each payout is assessed against the
    enabled rules inside the transaction that creates it (docs/risk.md).

    Scope: `risk_rules:read`.

    Args:
        anton_version (ListRiskRulesAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ForbiddenError | InternalServerErrorError | RiskRuleList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]
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
    client: AuthenticatedClient,
    anton_version: ListRiskRulesAntonVersion | Unset = UNSET,

) -> BadRequestError | ForbiddenError | InternalServerErrorError | RiskRuleList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    """ List risk rules.

     Every rule of the catalogue for this environment, in catalogue order: your settings, or the
    defaults (on for every merchant; stricter in live mode). Each payout is assessed against the
    enabled rules inside the transaction that creates it (docs/risk.md).

    Scope: `risk_rules:read`.

    Args:
        anton_version (ListRiskRulesAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ForbiddenError | InternalServerErrorError | RiskRuleList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError
     """


    return sync_detailed(
        client=client,
anton_version=anton_version,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    anton_version: ListRiskRulesAntonVersion | Unset = UNSET,

) -> Response[BadRequestError | ForbiddenError | InternalServerErrorError | RiskRuleList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]:
    """ List risk rules.

     Every rule of the catalogue for this environment, in catalogue order: your settings, or the
    defaults (on for every merchant; stricter in live mode). Each payout is assessed against the
    enabled rules inside the transaction that creates it (docs/risk.md).

    Scope: `risk_rules:read`.

    Args:
        anton_version (ListRiskRulesAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadRequestError | ForbiddenError | InternalServerErrorError | RiskRuleList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError]
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
    client: AuthenticatedClient,
    anton_version: ListRiskRulesAntonVersion | Unset = UNSET,

) -> BadRequestError | ForbiddenError | InternalServerErrorError | RiskRuleList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError | None:
    """ List risk rules.

     Every rule of the catalogue for this environment, in catalogue order: your settings, or the
    defaults (on for every merchant; stricter in live mode). Each payout is assessed against the
    enabled rules inside the transaction that creates it (docs/risk.md).

    Scope: `risk_rules:read`.

    Args:
        anton_version (ListRiskRulesAntonVersion | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadRequestError | ForbiddenError | InternalServerErrorError | RiskRuleList | ServiceUnavailableError | TooManyRequestsError | UnauthorizedError
     """


    return (await asyncio_detailed(
        client=client,
anton_version=anton_version,

    )).parsed
