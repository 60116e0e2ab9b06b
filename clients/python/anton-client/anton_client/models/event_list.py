from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.event_list_object import EventListObject
from typing import cast

if TYPE_CHECKING:
  from ..models.alert_event import AlertEvent
  from ..models.payout_event import PayoutEvent
  from ..models.recipient_event import RecipientEvent
  from ..models.webhook_delivery_event import WebhookDeliveryEvent
  from ..models.webhook_endpoint_event import WebhookEndpointEvent





T = TypeVar("T", bound="EventList")



@_attrs_define
class EventList:
    """ A page of events, newest first.

        Attributes:
            object_ (EventListObject): What kind of object this is: always `list`.
            data (list[AlertEvent | PayoutEvent | RecipientEvent | WebhookDeliveryEvent | WebhookEndpointEvent]): The events
                of this page, newest first, each exactly as stored and delivered.
            has_more (bool): Whether more events follow this page in the direction paged (older after `starting_after`,
                newer before `ending_before`).
     """

    object_: EventListObject
    data: list[AlertEvent | PayoutEvent | RecipientEvent | WebhookDeliveryEvent | WebhookEndpointEvent]
    has_more: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.alert_event import AlertEvent # noqa: PLC0415
        from ..models.payout_event import PayoutEvent # noqa: PLC0415
        from ..models.recipient_event import RecipientEvent # noqa: PLC0415
        from ..models.webhook_delivery_event import WebhookDeliveryEvent # noqa: PLC0415
        from ..models.webhook_endpoint_event import WebhookEndpointEvent # noqa: PLC0415
        object_ = self.object_.value

        data = []
        for data_item_data in self.data:
            data_item: dict[str, Any]
            if isinstance(data_item_data, RecipientEvent):
                data_item = data_item_data.to_dict()
            elif isinstance(data_item_data, PayoutEvent):
                data_item = data_item_data.to_dict()
            elif isinstance(data_item_data, WebhookEndpointEvent):
                data_item = data_item_data.to_dict()
            elif isinstance(data_item_data, WebhookDeliveryEvent):
                data_item = data_item_data.to_dict()
            else:
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
        from ..models.alert_event import AlertEvent # noqa: PLC0415
        from ..models.payout_event import PayoutEvent # noqa: PLC0415
        from ..models.recipient_event import RecipientEvent # noqa: PLC0415
        from ..models.webhook_delivery_event import WebhookDeliveryEvent # noqa: PLC0415
        from ..models.webhook_endpoint_event import WebhookEndpointEvent # noqa: PLC0415
        d = dict(src_dict)
        object_ = EventListObject(d.pop("object"))




        data = []
        _data = d.pop("data")
        for data_item_data in (_data):
            def _parse_data_item(data: object) -> AlertEvent | PayoutEvent | RecipientEvent | WebhookDeliveryEvent | WebhookEndpointEvent:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_0 = RecipientEvent.from_dict(data)



                    return componentsschemas_event_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_1 = PayoutEvent.from_dict(data)



                    return componentsschemas_event_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_2 = WebhookEndpointEvent.from_dict(data)



                    return componentsschemas_event_type_2
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_event_type_3 = WebhookDeliveryEvent.from_dict(data)



                    return componentsschemas_event_type_3
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_event_type_4 = AlertEvent.from_dict(data)



                return componentsschemas_event_type_4

            data_item = _parse_data_item(data_item_data)

            data.append(data_item)


        has_more = d.pop("has_more")

        event_list = cls(
            object_=object_,
            data=data,
            has_more=has_more,
        )


        event_list.additional_properties = d
        return event_list

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
