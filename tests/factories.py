"""Deterministic factories for the accounts domain."""

from __future__ import annotations

import factory
from django.utils import timezone

from accounts.models import AccountSettings, Branch, User, UserType


def user_type(name: str = UserType.LEARNER) -> UserType:
    """The seeded user types (from the data migration), by name."""
    return UserType.objects.get(name=name)


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Branch {n}")
    slug = factory.Sequence(lambda n: f"branch-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A user saved directly; use accounts.services to test the use cases themselves."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.LazyAttribute(lambda o: o.username)
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    time_zone = "UTC"
    user_type = factory.LazyFunction(user_type)
    language = "en"
    password = factory.django.Password("correct horse battery staple")

    class Params:
        deleted = factory.Trait(deleted_at=factory.LazyFunction(timezone.now))
        inactive = factory.Trait(is_active=False)
        admin = factory.Trait(user_type=factory.LazyFunction(lambda: user_type(UserType.ADMIN)))


def account_settings(**changes) -> AccountSettings:
    settings = AccountSettings.load()
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.save()
    return settings
