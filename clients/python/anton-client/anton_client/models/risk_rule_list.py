from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.risk_rule_list_object import RiskRuleListObject
from typing import cast

if TYPE_CHECKING:
  from ..models.risk_rule import RiskRule





T = TypeVar("T", bound="RiskRuleList")



@_attrs_define
class RiskRuleList:
    """ Every risk rule of the catalogue, in catalogue order (never more than one page).

        Attributes:
            object_ (RiskRuleListObject): What kind of object this is: always `list`.
            data (list[RiskRule]): The rules.
            has_more (bool): Whether more objects follow this page in the direction paged: older ones after `starting_after`
                (or the first page), newer ones before `ending_before`.
     """

    object_: RiskRuleListObject
    data: list[RiskRule]
    has_more: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.risk_rule import RiskRule # noqa: PLC0415
        object_ = self.object_.value

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)



        has_more = self.has_more


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "object": object_,
            "data": data,
            "has_more": has_more,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.risk_rule import RiskRule # noqa: PLC0415
        d = dict(src_dict)
        object_ = RiskRuleListObject(d.pop("object"))




        data = []
        _data = d.pop("data")
        for data_item_data in (_data):
            data_item = RiskRule.from_dict(data_item_data)



            data.append(data_item)


        has_more = d.pop("has_more")

        risk_rule_list = cls(
            object_=object_,
            data=data,
            has_more=has_more,
        )


        risk_rule_list.additional_properties = d
        return risk_rule_list

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
