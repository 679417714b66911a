"""Integrations: plugins that hook one library each into the SDK.

An integration patches its library once per process (``setup_once``), then asks the
active client at run time whether it is enabled, so ``init`` twice never double-wraps.
Auto-enabling integrations are set up when their library is imported, not before: the
SDK itself never imports a framework the app does not use.
"""

from __future__ import annotations

import importlib
import sys
from _thread import allocate_lock
from types import ModuleType
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Optional,
    Sequence,
    Set,
    Tuple,
    Type,
)

from sentry_lite.sdk_loggers import logger

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

__all__ = ["DidNotEnable", "Integration", "setup_integrations", "when_imported"]


class DidNotEnable(Exception):  # noqa: N818 - sentry_sdk's name
    """Raised by ``setup_once`` when the library is missing or unsupported."""


class Integration:
    """Base class. Subclasses set ``identifier`` and implement ``setup_once``."""

    identifier: str = ""
    install_lock = allocate_lock()

    @staticmethod
    def setup_once() -> None:
        """Patch the library. Called at most once per process per identifier."""
        raise NotImplementedError

    def setup_with_options(self, options: Dict[str, Any]) -> None:
        """At every ``init`` that uses this integration, after ``setup_once``: for set-up
        that depends on that init's options. Does nothing unless overridden."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


_DEFAULT: Tuple[str, ...] = (
    "sentry_lite.integrations.argv.ArgvIntegration",
    "sentry_lite.integrations.atexit.AtexitIntegration",
    "sentry_lite.integrations.dedupe.DedupeIntegration",
    "sentry_lite.integrations.excepthook.ExcepthookIntegration",
    "sentry_lite.integrations.logging.LoggingIntegration",
    "sentry_lite.integrations.modules.ModulesIntegration",
    "sentry_lite.integrations.stdlib.StdlibIntegration",
    "sentry_lite.integrations.threading.ThreadingIntegration",
)

# (module whose import turns the integration on, integration class path)
_AUTO_ENABLING: Tuple[Tuple[str, str], ...] = (
    ("flask", "sentry_lite.integrations.flask.FlaskIntegration"),
    ("django", "sentry_lite.integrations.django.DjangoIntegration"),
    ("starlette", "sentry_lite.integrations.starlette.StarletteIntegration"),
    ("fastapi", "sentry_lite.integrations.fastapi.FastApiIntegration"),
    ("sqlalchemy", "sentry_lite.integrations.sqlalchemy.SqlalchemyIntegration"),
    ("redis", "sentry_lite.integrations.redis.RedisIntegration"),
    ("celery", "sentry_lite.integrations.celery.CeleryIntegration"),
    ("rq", "sentry_lite.integrations.rq.RqIntegration"),
    ("httpx", "sentry_lite.integrations.httpx.HttpxIntegration"),
    ("httpx2", "sentry_lite.integrations.httpx2.Httpx2Integration"),
    ("bottle", "sentry_lite.integrations.bottle.BottleIntegration"),
    ("falcon", "sentry_lite.integrations.falcon.FalconIntegration"),
    ("pyramid", "sentry_lite.integrations.pyramid.PyramidIntegration"),
    ("aiohttp", "sentry_lite.integrations.aiohttp.AioHttpIntegration"),
    ("strawberry", "sentry_lite.integrations.strawberry.StrawberryIntegration"),
    ("graphene", "sentry_lite.integrations.graphene.GrapheneIntegration"),
    ("ariadne", "sentry_lite.integrations.ariadne.AriadneIntegration"),
    ("gql", "sentry_lite.integrations.gql.GQLIntegration"),
    ("botocore", "sentry_lite.integrations.boto3.Boto3Integration"),
    ("arq", "sentry_lite.integrations.arq.ArqIntegration"),
    ("huey", "sentry_lite.integrations.huey.HueyIntegration"),
    ("asyncpg", "sentry_lite.integrations.asyncpg.AsyncPGIntegration"),
    ("loguru", "sentry_lite.integrations.loguru.LoguruIntegration"),
    ("openai", "sentry_lite.integrations.openai.OpenAIIntegration"),
    ("anthropic", "sentry_lite.integrations.anthropic.AnthropicIntegration"),
    ("tornado", "sentry_lite.integrations.tornado.TornadoIntegration"),
    ("quart", "sentry_lite.integrations.quart.QuartIntegration"),
    ("litestar", "sentry_lite.integrations.litestar.LitestarIntegration"),
    ("sanic", "sentry_lite.integrations.sanic.SanicIntegration"),
)

_installed: Set[str] = set()


def _load(path: str) -> Optional[Type[Integration]]:
    module_name, _, class_name = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except (ImportError, DidNotEnable):
        return None
    cls = getattr(module, class_name, None)
    return cls if isinstance(cls, type) and issubclass(cls, Integration) else None


def _setup_one(integration: Integration, options: Dict[str, Any]) -> bool:
    if not _install(integration):
        return False
    try:
        integration.setup_with_options(options)
    except Exception:  # noqa: BLE001 - a broken integration must not break init
        logger.warning(
            "sentry_lite: integration %s failed to set up", integration.identifier, exc_info=True
        )
    return True


def _install(integration: Integration) -> bool:
    identifier = type(integration).identifier
    with Integration.install_lock:
        if identifier in _installed:
            return True
        try:
            type(integration).setup_once()
        except DidNotEnable as exc:
            logger.debug("sentry_lite: integration %s not enabled: %s", identifier, exc)
            return False
        except Exception:  # noqa: BLE001 - a broken integration must not break init
            logger.warning(
                "sentry_lite: integration %s failed to set up", identifier, exc_info=True
            )
            return False
        _installed.add(identifier)
    return True


def _disabled_ids(options: Dict[str, Any]) -> Set[str]:
    out: Set[str] = set()
    for item in options.get("disabled_integrations") or ():
        if isinstance(item, str):
            out.add(item)
        elif isinstance(item, Integration):
            out.add(type(item).identifier)
        elif isinstance(item, type) and issubclass(item, Integration):
            out.add(item.identifier)
    return out


def setup_integrations(options: Dict[str, Any]) -> Dict[str, Integration]:
    """Set up explicit, default and auto-enabling integrations; returns identifier -> instance."""
    disabled = _disabled_ids(options)
    chosen: Dict[str, Integration] = {}
    if options.get("default_integrations", True):
        for path in _DEFAULT:
            cls = _load(path)
            if cls is not None:
                chosen[cls.identifier] = cls()
    for integration in options.get("integrations") or ():
        if isinstance(integration, type) and issubclass(integration, Integration):
            integration = integration()
        if not isinstance(integration, Integration):
            logger.warning(
                "sentry_lite: ignoring %r in integrations: not an Integration", integration
            )
            continue
        chosen[type(integration).identifier] = integration
    warn_not_built(chosen.values())
    result: Dict[str, Integration] = {}
    for identifier, integration in chosen.items():
        if identifier in disabled:
            continue
        if _setup_one(integration, options):
            result[identifier] = integration
    if options.get("default_integrations", True) and options.get(
        "auto_enabling_integrations", True
    ):
        explicit = set(chosen)
        for trigger, path in _AUTO_ENABLING:
            class_name = path.rpartition(".")[2]
            if any(type(i).__name__ == class_name for i in result.values()):
                continue
            _watch(trigger, path, explicit | disabled, result, options)
    return result


# -- enabling integrations when their library is imported ----------------------------

_watched: Dict[str, List[Callable[[], None]]] = {}
_finder_installed = False


def _watch(
    trigger: str,
    path: str,
    skip: Set[str],
    result: Dict[str, Integration],
    options: Dict[str, Any],
) -> None:
    def enable() -> None:
        cls = _load(path)
        if cls is None or cls.identifier in skip or hasattr(cls, "not_built_warning"):
            return
        integration = cls()
        if _setup_one(integration, options):
            result[cls.identifier] = integration

    when_imported(trigger, enable)


def when_imported(module_name: str, callback: Callable[[], None]) -> None:
    """Run ``callback`` now if ``module_name`` is imported, else right after its import.

    Lets integrations patch a library without importing it at start-up themselves.
    """
    if module_name in sys.modules:
        callback()
        return
    _watched.setdefault(module_name, []).append(callback)
    _install_finder()


def _install_finder() -> None:
    global _finder_installed
    if not _finder_installed:
        sys.meta_path.insert(0, _PostImportFinder())
        _finder_installed = True


class _PostImportLoader:
    # Duck-typed: subclassing importlib.abc.Loader would import importlib.resources
    # (about 10 ms) at start-up.

    def __init__(self, loader: Any, name: str) -> None:
        self._loader = loader
        self._name = name

    def create_module(self, spec: ModuleSpec) -> Optional[ModuleType]:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        for callback in _watched.pop(self._name, ()):
            try:
                callback()
            except Exception:  # noqa: BLE001
                logger.warning("sentry_lite: auto-enabling %s failed", self._name, exc_info=True)


class _PostImportFinder:
    """Runs callbacks right after a watched top-level module finished importing."""

    def __init__(self) -> None:
        self._busy: Set[str] = set()

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]] = None, target: Any = None
    ) -> Optional[ModuleSpec]:
        if fullname not in _watched or fullname in self._busy:
            return None
        self._busy.add(fullname)
        try:
            spec = _find_with_others(fullname, path, target, self)
        finally:
            self._busy.discard(fullname)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _PostImportLoader(spec.loader, fullname)  # type: ignore[assignment]
        return spec


def _find_with_others(
    fullname: str, path: Optional[Sequence[str]], target: Any, me: Any
) -> Optional[ModuleSpec]:
    finders: Iterable[Any] = [f for f in sys.meta_path if f is not me]
    for finder in finders:
        find = getattr(finder, "find_spec", None)
        if find is None:
            continue
        spec = find(fullname, path, target)
        if spec is not None:
            return spec  # type: ignore[no-any-return]
    return None


# -- i11core: sentry_sdk's names for the integration registry --------------------------

_DEFAULT_INTEGRATIONS: List[str] = list(_DEFAULT)
"""The default integrations as import paths, as ``sentry_sdk.integrations`` lists them."""

_AUTO_ENABLING_INTEGRATIONS: List[str] = [path for _, path in _AUTO_ENABLING]
"""The integrations turned on when their library is imported."""

_installed_integrations = _installed
"""Identifiers whose ``setup_once`` ran (sentry_sdk's name for the same set)."""

_processed_integrations: Set[str] = _installed
"""sentry_sdk keeps a second set of identifiers it tried; here both are one set."""

_MIN_VERSIONS: Dict[str, Tuple[int, ...]] = {
    "celery": (4, 4, 7),
    "django": (1, 8),
    "fastapi": (0, 79, 0),
    "flask": (1, 1, 4),
    "rq": (0, 6),
    "sqlalchemy": (1, 2),
    "starlette": (0, 16),
    "strawberry": (0, 209, 5),
    "graphene": (3, 3),
    "ariadne": (0, 20),
    "gql": (3, 4, 1),
}
"""Oldest library version each integration supports (sentry_sdk's figures)."""


def _check_minimum_version(
    integration: Type[Integration],
    version: Optional[Tuple[int, ...]],
    package: Optional[str] = None,
) -> None:
    """Raise DidNotEnable when ``version`` is unknown or older than the integration supports."""
    package = package or integration.identifier
    if version is None:
        raise DidNotEnable(f"Unparsable {package} version.")
    minimum = _MIN_VERSIONS.get(integration.identifier)
    if minimum is None:
        return
    width = max(len(version), len(minimum))
    padded = tuple(version) + (0,) * (width - len(version))
    if padded < tuple(minimum) + (0,) * (width - len(minimum)):
        raise DidNotEnable(
            f"Integration only supports {package} {'.'.join(map(str, minimum))} or newer."
        )


def warn_not_built(integrations: Iterable[Integration]) -> None:
    """One warning per integration passed to ``init`` that sentry-lite does not build yet."""
    for integration in integrations:
        message = getattr(type(integration), "not_built_warning", None)
        if message is not None:
            logger.warning("%s", message())
