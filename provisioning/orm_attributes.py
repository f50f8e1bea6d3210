"""From the SCIM registries' declarations to the ORM: how an attribute is filtered on
(``orm_filters.AttributeSpec``) and sorted by. The User and Group queries build their
whitelists from these, so an attribute declared filterable or sortable is both, once."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import F
from django.db.models.functions import Lower

from provisioning.orm_filters import AttributeSpec
from provisioning.scim.attributes import STRING, AttributeRef


def attribute_spec(ref: AttributeRef, relations: Mapping[str, str] | None = None) -> AttributeSpec:
    """The filter spec of a filterable attribute. ``relations``: the ORM path a relation
    (``Attribute.relation``) is filtered through, by its storage key."""
    attribute = ref.definition
    kind = attribute.filter_type or str(attribute.type)
    if attribute.relation:
        assert attribute.storage is not None and relations, f"{ref.canonical}: no ORM path"
        return AttributeSpec(relations[attribute.storage], kind, attribute.case_exact)
    if ref.attribute.kept_whole and ref.sub_attribute is not None:
        # A key of the elements of a list kept whole in one column.
        assert ref.attribute.storage is not None
        return AttributeSpec(
            ref.attribute.storage, kind, attribute.case_exact, element=attribute.name
        )
    assert attribute.storage is not None, f"{ref.canonical} is filterable but not stored"
    if ref.attribute.others is not None and ref.sub_attribute is not None:
        # A column of the element kept in columns; the others are elements of a JSON list.
        return AttributeSpec(
            attribute.storage,
            kind,
            attribute.case_exact,
            element=attribute.name,
            others=ref.attribute.others,
        )
    return AttributeSpec(attribute.storage, kind, attribute.case_exact)


def sort_expression(ref: AttributeRef) -> F | Lower:
    """What sortBy orders on: strings case-insensitively unless case-exact (RFC 7644 §3.4.2.3)."""
    attribute = ref.definition
    assert attribute.storage is not None, f"{ref.canonical} is sortable but not stored"
    if attribute.type == STRING and not attribute.case_exact:
        return Lower(attribute.storage)
    return F(attribute.storage)
