from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.request_object import RequestObject
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="Request")



@_attrs_define
class Request:
    """ One API request as the merchant's request log keeps it (docs/reference.md §6): never a body,
    a key or bank details.

        Attributes:
            id (str): The id of a request: `req_` and 24 base62 characters (time-ordered).
            object_ (RequestObject): What kind of object this is: always `request`.
            created (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            method (str): The HTTP method.
            route (str): The route template the request matched (`/v1/payouts/{id}`), never the path as sent.
            status (int): The HTTP status answered.
            api_key (str): The id of an API key: `key_` and 24 base62 characters (time-ordered). A malformed id in a path is
                a 404; in a filter, a 400.
            duration_us (int): Microseconds from the request's arrival to its answer.
            livemode (bool): `true` in live mode, `false` in test mode.
            error_code (None | str | Unset): The error's `code` when the answer was an error, else `null`.
            source_ip (None | str | Unset): The client's address as the server saw it (IPv4 or IPv6), or `null`.
            user_agent (None | str | Unset): The `User-Agent` sent, at most 256 characters, or `null`.
            idempotency_key (None | str | Unset): The `Idempotency-Key` sent, or `null`.
     """

    id: str
    object_: RequestObject
    created: datetime.datetime
    method: str
    route: str
    status: int
    api_key: str
    duration_us: int
    livemode: bool
    error_code: None | str | Unset = UNSET
    source_ip: None | str | Unset = UNSET
    user_agent: None | str | Unset = UNSET
    idempotency_key: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_.value

        created = self.created.isoformat()

        method = self.method

        route = self.route

        status = self.status

        api_key = self.api_key

        duration_us = self.duration_us

        livemode = self.livemode

        error_code: None | str | Unset
        if isinstance(self.error_code, Unset):
            error_code = UNSET
        else:
            error_code = self.error_code

        source_ip: None | str | Unset
        if isinstance(self.source_ip, Unset):
            source_ip = UNSET
        else:
            source_ip = self.source_ip

        user_agent: None | str | Unset
        if isinstance(self.user_agent, Unset):
            user_agent = UNSET
        else:
            user_agent = self.user_agent

        idempotency_key: None | str | Unset
        if isinstance(self.idempotency_key, Unset):
            idempotency_key = UNSET
        else:
            idempotency_key = self.idempotency_key


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "object": object_,
            "created": created,
            "method": method,
            "route": route,
            "status": status,
            "api_key": api_key,
            "duration_us": duration_us,
            "livemode": livemode,
        })
        if error_code is not UNSET:
            field_dict["error_code"] = error_code
        if source_ip is not UNSET:
            field_dict["source_ip"] = source_ip
        if user_agent is not UNSET:
            field_dict["user_agent"] = user_agent
        if idempotency_key is not UNSET:
            field_dict["idempotency_key"] = idempotency_key

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        object_ = RequestObject(d.pop("object"))




        created = datetime.datetime.fromisoformat(d.pop("created"))




        method = d.pop("method")

        route = d.pop("route")

        status = d.pop("status")

        api_key = d.pop("api_key")

        duration_us = d.pop("duration_us")

        livemode = d.pop("livemode")

        def _parse_error_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error_code = _parse_error_code(d.pop("error_code", UNSET))


        def _parse_source_ip(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        source_ip = _parse_source_ip(d.pop("source_ip", UNSET))


        def _parse_user_agent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_agent = _parse_user_agent(d.pop("user_agent", UNSET))


        def _parse_idempotency_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        idempotency_key = _parse_idempotency_key(d.pop("idempotency_key", UNSET))


        request = cls(
            id=id,
            object_=object_,
            created=created,
            method=method,
            route=route,
            status=status,
            api_key=api_key,
            duration_us=duration_us,
            livemode=livemode,
            error_code=error_code,
            source_ip=source_ip,
            user_agent=user_agent,
            idempotency_key=idempotency_key,
        )


        request.additional_properties = d
        return request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
