"""U2F hosts' touch loop: a request sent again while the key answers SW_CONDITIONS_NOT_SATISFIED."""
import time

from fido2.ctap1 import APDU, ApduError


def polling(func, *args):
    for _ in range(100):
        try:
            return func(*args)
        except ApduError as e:
            if e.code != APDU.USE_NOT_SATISFIED:
                raise
            time.sleep(0.02)
    raise AssertionError("the key never took the touch")
