from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # The user manager's create_user/create_superuser (Django's commands call them) are
        # accounts' use cases, which import the models: handed over here, not imported there.
        from accounts import services
        from accounts.models import UserManager

        UserManager.use_cases = services
