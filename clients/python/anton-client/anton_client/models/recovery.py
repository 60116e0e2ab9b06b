from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.recovery_object import RecoveryObject






T = TypeVar("T", bound="Recovery")



@_attrs_define
class Recovery:
    """ What `recover` scheduled.

        Attributes:
            object_ (RecoveryObject): What kind of object this is: always `recovery`.
            endpoint (str): The id of a webhook endpoint: `we_` and 24 base62 characters (time-ordered). A malformed id in a
                path is a 404; in a filter, a 400.
            deliveries (int): How many deliveries were scheduled for now.
     """

    object_: RecoveryObject
    endpoint: str
    deliveries: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        object_ = self.object_.value

        endpoint = self.endpoint

        deliveries = self.deliveries


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "object": object_,
            "endpoint": endpoint,
            "deliveries": deliveries,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        object_ = RecoveryObject(d.pop("object"))




        endpoint = d.pop("endpoint")

        deliveries = d.pop("deliveries")

        recovery = cls(
            object_=object_,
            endpoint=endpoint,
            deliveries=deliveries,
        )


        recovery.additional_properties = d
        return recovery

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
