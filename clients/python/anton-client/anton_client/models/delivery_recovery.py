from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime






T = TypeVar("T", bound="DeliveryRecovery")



@_attrs_define
class DeliveryRecovery:
    """ Which of an endpoint's deliveries to recover.

        Attributes:
            since (datetime.datetime | int): Every `retrying` or `exhausted` delivery of the endpoint created at or after
                this time is scheduled for now: an RFC 3339 time or unix seconds (`parameter_invalid` otherwise).
     """

    since: datetime.datetime | int





    def to_dict(self) -> dict[str, Any]:
        since: int | str
        if isinstance(self.since, datetime.datetime):
            since = self.since.isoformat()
        else:
            since = self.since


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "since": since,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_since(data: object) -> datetime.datetime | int:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                since_type_0 = datetime.datetime.fromisoformat(data)



                return since_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | int, data)

        since = _parse_since(d.pop("since"))


        delivery_recovery = cls(
            since=since,
        )

        return delivery_recovery

