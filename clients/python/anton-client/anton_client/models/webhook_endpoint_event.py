from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.webhook_endpoint_event_api_version import WebhookEndpointEventApiVersion
from ..models.webhook_endpoint_event_object import WebhookEndpointEventObject
from ..models.webhook_endpoint_event_type import WebhookEndpointEventType
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.webhook_endpoint_event_data import WebhookEndpointEventData





T = TypeVar("T", bound="WebhookEndpointEvent")



@_attrs_define
class WebhookEndpointEvent:
    """ An event whose `data.object` is a webhook endpoint: `webhook_endpoint.disabled`, `webhook_endpoint.test`.

        Attributes:
            id (str): The id of an event: `evt_` and 24 base62 characters (time-ordered). A malformed id in a path is a 404;
                in a filter, a 400.
            object_ (WebhookEndpointEventObject): What kind of object this is: always `event`.
            type_ (WebhookEndpointEventType): What happened.
            created (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            livemode (bool): `true` in live mode, `false` in test mode.
            api_version (WebhookEndpointEventApiVersion): The API version the event was rendered with.
            data (WebhookEndpointEventData): What the event is about.
     """

    id: str
    object_: WebhookEndpointEventObject
    type_: WebhookEndpointEventType
    created: datetime.datetime
    livemode: bool
    api_version: WebhookEndpointEventApiVersion
    data: WebhookEndpointEventData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.webhook_endpoint_event_data import WebhookEndpointEventData # noqa: PLC0415
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
        from ..models.webhook_endpoint_event_data import WebhookEndpointEventData # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        object_ = WebhookEndpointEventObject(d.pop("object"))




        type_ = WebhookEndpointEventType(d.pop("type"))




        created = datetime.datetime.fromisoformat(d.pop("created"))




        livemode = d.pop("livemode")

        api_version = WebhookEndpointEventApiVersion(d.pop("api_version"))




        data = WebhookEndpointEventData.from_dict(d.pop("data"))




        webhook_endpoint_event = cls(
            id=id,
            object_=object_,
            type_=type_,
            created=created,
            livemode=livemode,
            api_version=api_version,
            data=data,
        )


        webhook_endpoint_event.additional_properties = d
        return webhook_endpoint_event

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
