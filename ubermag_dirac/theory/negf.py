"""placeholder"""


def effective_damping():
    pass
