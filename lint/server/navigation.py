"""(placeholder: being written)"""


def register(server) -> None:
    pass
