from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.ach_account_type import AchAccountType
from ..models.us_ach_account_details_type import UsAchAccountDetailsType






T = TypeVar("T", bound="UsAchAccountDetails")



@_attrs_define
class UsAchAccountDetails:
    """ A US account paid by ACH, in USD.

        Attributes:
            routing_number (str): The 9-digit ABA routing number; its checksum is checked (`invalid_routing_number`).
            account_number (str): The account number: 4 to 17 digits (`invalid_account_number`).
            account_type (AchAccountType): A US ACH account's type.
            type_ (UsAchAccountDetailsType): The kind of account: `us_ach`.
     """

    routing_number: str
    account_number: str
    account_type: AchAccountType
    type_: UsAchAccountDetailsType





    def to_dict(self) -> dict[str, Any]:
        routing_number = self.routing_number

        account_number = self.account_number

        account_type = self.account_type.value

        type_ = self.type_.value


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "routing_number": routing_number,
            "account_number": account_number,
            "account_type": account_type,
            "type": type_,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        routing_number = d.pop("routing_number")

        account_number = d.pop("account_number")

        account_type = AchAccountType(d.pop("account_type"))




        type_ = UsAchAccountDetailsType(d.pop("type"))




        us_ach_account_details = cls(
            routing_number=routing_number,
            account_number=account_number,
            account_type=account_type,
            type_=type_,
        )

        return us_ach_account_details

