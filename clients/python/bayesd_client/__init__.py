"""Python client for bayesd, the Bayesian-optimization daemon (standard library only).

    from bayesd_client import Client
    client = Client("http://127.0.0.1:8080")
    study = client.create_study("demo", parameters=[...], objective={"name": "y", "goal": "minimize"})
    trial = study.suggest()
    trial.complete({"y": f(**trial.params)})

See docs/python-client.md.
"""

from .client import Best, Client, Study, Trial
from .errors import (AlreadyExistsError, BayesdError, ConflictError, ConnectionFailedError,
                     FailedPreconditionError, InternalError, InvalidArgumentError, NotFoundError,
                     PayloadTooLargeError, UnauthenticatedError, UnavailableError)

__version__ = "0.1.0"

__all__ = [
    "Client", "Study", "Trial", "Best",
    "BayesdError", "InvalidArgumentError", "UnauthenticatedError", "NotFoundError", "ConflictError",
    "AlreadyExistsError", "FailedPreconditionError", "PayloadTooLargeError", "UnavailableError", "InternalError",
    "ConnectionFailedError",
]
