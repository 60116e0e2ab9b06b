from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="SecretRotation")



@_attrs_define
class SecretRotation:
    """ How a secret rotation treats the previous secret.

        Attributes:
            expire_previous_in_seconds (int | None | Unset): How long the previous secret keeps signing, in seconds: 0 (stop
                at once) to 604800 (7
                days), default 86400 (`expire_previous_in_seconds_invalid` otherwise). Default: 86400.
     """

    expire_previous_in_seconds: int | None | Unset = 86400





    def to_dict(self) -> dict[str, Any]:
        expire_previous_in_seconds: int | None | Unset
        if isinstance(self.expire_previous_in_seconds, Unset):
            expire_previous_in_seconds = UNSET
        else:
            expire_previous_in_seconds = self.expire_previous_in_seconds


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if expire_previous_in_seconds is not UNSET:
            field_dict["expire_previous_in_seconds"] = expire_previous_in_seconds

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_expire_previous_in_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expire_previous_in_seconds = _parse_expire_previous_in_seconds(d.pop("expire_previous_in_seconds", UNSET))


        secret_rotation = cls(
            expire_previous_in_seconds=expire_previous_in_seconds,
        )

        return secret_rotation

