"""Why a command was refused; entrypoints turn these into problem details or dead letters."""


class CommandRefused(Exception):
    """Base: the command cannot be carried out as asked."""


class NotFound(CommandRefused):
    pass


class Unauthorized(CommandRefused):
    pass


class Invalid(CommandRefused):
    pass
