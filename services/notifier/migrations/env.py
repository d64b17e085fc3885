from services.notifier.models import Base
from shared.migrations import run_migrations

run_migrations(Base.metadata)
