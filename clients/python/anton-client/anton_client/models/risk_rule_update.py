from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.risk_action import RiskAction
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.risk_rule_update_limits_type_0 import RiskRuleUpdateLimitsType0





T = TypeVar("T", bound="RiskRuleUpdate")



@_attrs_define
class RiskRuleUpdate:
    """ A change to a risk rule; absent fields stay as they are.

        Attributes:
            enabled (bool | None | Unset): Whether the rule is evaluated.
            action (None | RiskAction | Unset): What the rule does when it fires.
            limit (int | None | Unset): A count rule's limit (`daily_count`, `hourly_count`, `shared_bank_account`,
                `new_key_burst`), or the multiple of `amount_vs_history`: an integer from 0 to
                99999999999. Refused with `parameter_invalid` on an amount rule.
            limits (None | RiskRuleUpdateLimitsType0 | Unset): An amount rule's limits in minor units, by currency (`USD`,
                `EUR`, `GBP`): the
                currencies named change, the others stay. Each an integer from 0 to 99999999999.
                Refused with `parameter_invalid` on a count rule.
     """

    enabled: bool | None | Unset = UNSET
    action: None | RiskAction | Unset = UNSET
    limit: int | None | Unset = UNSET
    limits: None | RiskRuleUpdateLimitsType0 | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.risk_rule_update_limits_type_0 import RiskRuleUpdateLimitsType0 # noqa: PLC0415
        enabled: bool | None | Unset
        if isinstance(self.enabled, Unset):
            enabled = UNSET
        else:
            enabled = self.enabled

        action: None | str | Unset
        if isinstance(self.action, Unset):
            action = UNSET
        elif isinstance(self.action, RiskAction):
            action = self.action.value
        else:
            action = self.action

        limit: int | None | Unset
        if isinstance(self.limit, Unset):
            limit = UNSET
        else:
            limit = self.limit

        limits: dict[str, Any] | None | Unset
        if isinstance(self.limits, Unset):
            limits = UNSET
        elif isinstance(self.limits, RiskRuleUpdateLimitsType0):
            limits = self.limits.to_dict()
        else:
            limits = self.limits


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if action is not UNSET:
            field_dict["action"] = action
        if limit is not UNSET:
            field_dict["limit"] = limit
        if limits is not UNSET:
            field_dict["limits"] = limits

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.risk_rule_update_limits_type_0 import RiskRuleUpdateLimitsType0 # noqa: PLC0415
        d = dict(src_dict)
        def _parse_enabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        enabled = _parse_enabled(d.pop("enabled", UNSET))


        def _parse_action(data: object) -> None | RiskAction | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                action_type_1 = RiskAction(data)



                return action_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RiskAction | Unset, data)

        action = _parse_action(d.pop("action", UNSET))


        def _parse_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        limit = _parse_limit(d.pop("limit", UNSET))


        def _parse_limits(data: object) -> None | RiskRuleUpdateLimitsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                limits_type_0 = RiskRuleUpdateLimitsType0.from_dict(data)



                return limits_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RiskRuleUpdateLimitsType0 | Unset, data)

        limits = _parse_limits(d.pop("limits", UNSET))


        risk_rule_update = cls(
            enabled=enabled,
            action=action,
            limit=limit,
            limits=limits,
        )

        return risk_rule_update

