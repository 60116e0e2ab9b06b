from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.balance_object import BalanceObject
from typing import cast

if TYPE_CHECKING:
  from ..models.balance_amount import BalanceAmount





T = TypeVar("T", bound="Balance")



@_attrs_define
class Balance:
    """ The balance of this merchant and environment: what it can pay out, and what is on its way.

        Attributes:
            object_ (BalanceObject): What kind of object this is: always `balance`.
            livemode (bool): `true` in live mode, `false` in test mode.
            available (list[BalanceAmount]): What can be paid out, per currency (currencies that never held money are
                absent).
            in_flight (list[BalanceAmount]): What payouts not yet paid or released have reserved, per currency.
     """

    object_: BalanceObject
    livemode: bool
    available: list[BalanceAmount]
    in_flight: list[BalanceAmount]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.balance_amount import BalanceAmount # noqa: PLC0415
        object_ = self.object_.value

        livemode = self.livemode

        available = []
        for available_item_data in self.available:
            available_item = available_item_data.to_dict()
            available.append(available_item)



        in_flight = []
        for in_flight_item_data in self.in_flight:
            in_flight_item = in_flight_item_data.to_dict()
            in_flight.append(in_flight_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "object": object_,
            "livemode": livemode,
            "available": available,
            "in_flight": in_flight,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.balance_amount import BalanceAmount # noqa: PLC0415
        d = dict(src_dict)
        object_ = BalanceObject(d.pop("object"))




        livemode = d.pop("livemode")

        available = []
        _available = d.pop("available")
        for available_item_data in (_available):
            available_item = BalanceAmount.from_dict(available_item_data)



            available.append(available_item)


        in_flight = []
        _in_flight = d.pop("in_flight")
        for in_flight_item_data in (_in_flight):
            in_flight_item = BalanceAmount.from_dict(in_flight_item_data)



            in_flight.append(in_flight_item)


        balance = cls(
            object_=object_,
            livemode=livemode,
            available=available,
            in_flight=in_flight,
        )


        balance.additional_properties = d
        return balance

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
