"""Domain errors that services raise and views show to users."""


class HallError(Exception):
    """A rule was broken; the message is a translatable text shown to the user, field names where it belongs."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def copy_error(form, err: HallError) -> None:
    """Put a service's error on the form field it concerns (or on the form as a whole)."""
    field = getattr(form, err.field, None) if err.field else None
    if field is not None:
        field.errors = [*field.errors, err.message]
    else:
        form.form_errors.append(err.message)
