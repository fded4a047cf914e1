"""Each area's registrations for tests/test_tenant_isolation.py, one module per area.

A module here may define any of these, merged into the tables of the same name there:

- `PK_MODELS`, `OWNER_GET_STATUS`, `OWNER_POST`, `POST_WRITES_NOTHING`, `NOT_TENANT_SCOPED` (dicts);
- `LEAK_MARKERS`: strings only tenant A's objects of this area contain;
- `world_objects(a: Tenant, b: Tenant) -> dict[type[Model], int]`: make the area's objects for both
  tenants (A's carrying the leak markers) and return the pk of one of tenant A's objects of each model
  (a key may also be a route name, "namespace:name", to give that route its own object: areas share
  the model keys, so use a route key when another area's object of the same model does not suit);
- `post_data(tenant: Tenant) -> dict[str, Any]`: form fields the area's POST routes read (use names
  no other area uses, or values that suit both).
"""

import importlib
import pkgutil
from types import ModuleType


def area_modules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
