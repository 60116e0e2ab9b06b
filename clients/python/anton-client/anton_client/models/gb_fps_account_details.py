from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.gb_fps_account_details_type import GbFpsAccountDetailsType






T = TypeVar("T", bound="GbFpsAccountDetails")



@_attrs_define
class GbFpsAccountDetails:
    """ A UK account paid by Faster Payments, in GBP.

        Attributes:
            sort_code (str): The 6-digit sort code, optionally written with hyphens (`10-88-00`)
                (`invalid_sort_code`).
            account_number (str): The account number: exactly 8 digits (`invalid_account_number`).
            type_ (GbFpsAccountDetailsType): The kind of account: `gb_fps`.
     """

    sort_code: str
    account_number: str
    type_: GbFpsAccountDetailsType





    def to_dict(self) -> dict[str, Any]:
        sort_code = self.sort_code

        account_number = self.account_number

        type_ = self.type_.value


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "sort_code": sort_code,
            "account_number": account_number,
            "type": type_,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        sort_code = d.pop("sort_code")

        account_number = d.pop("account_number")

        type_ = GbFpsAccountDetailsType(d.pop("type"))




        gb_fps_account_details = cls(
            sort_code=sort_code,
            account_number=account_number,
            type_=type_,
        )

        return gb_fps_account_details

