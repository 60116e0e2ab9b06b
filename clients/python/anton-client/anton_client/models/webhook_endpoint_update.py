from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.enabled_events_type_0_item import EnabledEventsType0Item
from ..models.event_type_name import EventTypeName
from ..models.webhook_endpoint_status import WebhookEndpointStatus
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="WebhookEndpointUpdate")



@_attrs_define
class WebhookEndpointUpdate:
    """ Changes to a webhook endpoint: absent (or `null`) fields stay as they are.

        Attributes:
            url (None | str | Unset): A new URL, checked as at creation (`url_invalid`).
            enabled_events (list[EnabledEventsType0Item] | list[EventTypeName] | None | Unset): New subscriptions, replacing
                the current ones.
            description (None | str | Unset): A new description (at most 500 characters; `description_invalid`). `null`
                clears it.
            status (None | Unset | WebhookEndpointStatus): `enabled` or `disabled` (`status_invalid` otherwise).
     """

    url: None | str | Unset = UNSET
    enabled_events: list[EnabledEventsType0Item] | list[EventTypeName] | None | Unset = UNSET
    description: None | str | Unset = UNSET
    status: None | Unset | WebhookEndpointStatus = UNSET





    def to_dict(self) -> dict[str, Any]:
        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        enabled_events: list[str] | None | Unset
        if isinstance(self.enabled_events, Unset):
            enabled_events = UNSET
        elif isinstance(self.enabled_events, list):
            enabled_events = []
            for componentsschemas_enabled_events_type_0_item_data in self.enabled_events:
                componentsschemas_enabled_events_type_0_item = componentsschemas_enabled_events_type_0_item_data.value
                enabled_events.append(componentsschemas_enabled_events_type_0_item)


        elif isinstance(self.enabled_events, list):
            enabled_events = []
            for componentsschemas_enabled_events_type_1_item_data in self.enabled_events:
                componentsschemas_enabled_events_type_1_item = componentsschemas_enabled_events_type_1_item_data.value
                enabled_events.append(componentsschemas_enabled_events_type_1_item)


        else:
            enabled_events = self.enabled_events

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, WebhookEndpointStatus):
            status = self.status.value
        else:
            status = self.status


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if url is not UNSET:
            field_dict["url"] = url
        if enabled_events is not UNSET:
            field_dict["enabled_events"] = enabled_events
        if description is not UNSET:
            field_dict["description"] = description
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))


        def _parse_enabled_events(data: object) -> list[EnabledEventsType0Item] | list[EventTypeName] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_enabled_events_type_0 = []
                _componentsschemas_enabled_events_type_0 = data
                for componentsschemas_enabled_events_type_0_item_data in (_componentsschemas_enabled_events_type_0):
                    componentsschemas_enabled_events_type_0_item = EnabledEventsType0Item(componentsschemas_enabled_events_type_0_item_data)



                    componentsschemas_enabled_events_type_0.append(componentsschemas_enabled_events_type_0_item)

                return componentsschemas_enabled_events_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_enabled_events_type_1 = []
                _componentsschemas_enabled_events_type_1 = data
                for componentsschemas_enabled_events_type_1_item_data in (_componentsschemas_enabled_events_type_1):
                    componentsschemas_enabled_events_type_1_item = EventTypeName(componentsschemas_enabled_events_type_1_item_data)



                    componentsschemas_enabled_events_type_1.append(componentsschemas_enabled_events_type_1_item)

                return componentsschemas_enabled_events_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[EnabledEventsType0Item] | list[EventTypeName] | None | Unset, data)

        enabled_events = _parse_enabled_events(d.pop("enabled_events", UNSET))


        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        def _parse_status(data: object) -> None | Unset | WebhookEndpointStatus:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_1 = WebhookEndpointStatus(data)



                return status_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | WebhookEndpointStatus, data)

        status = _parse_status(d.pop("status", UNSET))


        webhook_endpoint_update = cls(
            url=url,
            enabled_events=enabled_events,
            description=description,
            status=status,
        )

        return webhook_endpoint_update

