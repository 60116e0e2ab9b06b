from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.alert_event_api_version import AlertEventApiVersion
from ..models.alert_event_object import AlertEventObject
from ..models.alert_event_type import AlertEventType
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.alert_event_data import AlertEventData





T = TypeVar("T", bound="AlertEvent")



@_attrs_define
class AlertEvent:
    """ An event whose `data.object` is a alert: `alert.raised`, `alert.resolved`.

        Attributes:
            id (str): The id of an event: `evt_` and 24 base62 characters (time-ordered). A malformed id in a path is a 404;
                in a filter, a 400.
            object_ (AlertEventObject): What kind of object this is: always `event`.
            type_ (AlertEventType): What happened.
            created (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            livemode (bool): `true` in live mode, `false` in test mode.
            api_version (AlertEventApiVersion): The API version the event was rendered with.
            data (AlertEventData): What the event is about.
     """

    id: str
    object_: AlertEventObject
    type_: AlertEventType
    created: datetime.datetime
    livemode: bool
    api_version: AlertEventApiVersion
    data: AlertEventData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.alert_event_data import AlertEventData # noqa: PLC0415
        id = self.id

        object_ = self.object_.value

        type_ = self.type_.value

        created = self.created.isoformat()

        livemode = self.livemode

        api_version = self.api_version.value

        data = self.data.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "object": object_,
            "type": type_,
            "created": created,
            "livemode": livemode,
            "api_version": api_version,
            "data": data,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.alert_event_data import AlertEventData # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        object_ = AlertEventObject(d.pop("object"))




        type_ = AlertEventType(d.pop("type"))




        created = datetime.datetime.fromisoformat(d.pop("created"))




        livemode = d.pop("livemode")

        api_version = AlertEventApiVersion(d.pop("api_version"))




        data = AlertEventData.from_dict(d.pop("data"))




        alert_event = cls(
            id=id,
            object_=object_,
            type_=type_,
            created=created,
            livemode=livemode,
            api_version=api_version,
            data=data,
        )


        alert_event.additional_properties = d
        return alert_event

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
