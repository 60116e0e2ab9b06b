from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="EventResend")



@_attrs_define
class EventResend:
    """ Where to resend an event.

        Attributes:
            endpoint (str): The id of a webhook endpoint: `we_` and 24 base62 characters (time-ordered). A malformed id in a
                path is a 404; in a filter, a 400.
     """

    endpoint: str





    def to_dict(self) -> dict[str, Any]:
        endpoint = self.endpoint


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "endpoint": endpoint,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        endpoint = d.pop("endpoint")

        event_resend = cls(
            endpoint=endpoint,
        )

        return event_resend

