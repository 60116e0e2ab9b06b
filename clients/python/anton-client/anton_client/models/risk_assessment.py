from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.risk_rule_name import RiskRuleName
from typing import cast

if TYPE_CHECKING:
  from ..models.risk_rule_fired import RiskRuleFired





T = TypeVar("T", bound="RiskAssessment")



@_attrs_define
class RiskAssessment:
    """ A payout's risk assessment (docs/risk.md), made inside the transaction that created it.

        Attributes:
            evaluated (list[RiskRuleName]): The rules evaluated: the merchant's enabled rules when the payout was created.
            fired (list[RiskRuleFired]): The rules that fired, in catalogue order (empty: none).
     """

    evaluated: list[RiskRuleName]
    fired: list[RiskRuleFired]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.risk_rule_fired import RiskRuleFired # noqa: PLC0415
        evaluated = []
        for evaluated_item_data in self.evaluated:
            evaluated_item = evaluated_item_data.value
            evaluated.append(evaluated_item)



        fired = []
        for fired_item_data in self.fired:
            fired_item = fired_item_data.to_dict()
            fired.append(fired_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "evaluated": evaluated,
            "fired": fired,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.risk_rule_fired import RiskRuleFired # noqa: PLC0415
        d = dict(src_dict)
        evaluated = []
        _evaluated = d.pop("evaluated")
        for evaluated_item_data in (_evaluated):
            evaluated_item = RiskRuleName(evaluated_item_data)



            evaluated.append(evaluated_item)


        fired = []
        _fired = d.pop("fired")
        for fired_item_data in (_fired):
            fired_item = RiskRuleFired.from_dict(fired_item_data)



            fired.append(fired_item)


        risk_assessment = cls(
            evaluated=evaluated,
            fired=fired,
        )


        risk_assessment.additional_properties = d
        return risk_assessment

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
