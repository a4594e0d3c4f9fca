# One image for the four services; docker-compose.yml picks the command.
FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.13 /uv /usr/local/bin/uv
WORKDIR /app
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
COPY pyproject.toml uv.lock .python-version ./
COPY shared/pyproject.toml shared/pyproject.toml
COPY services/catalogue/pyproject.toml services/catalogue/pyproject.toml
COPY services/issuer/pyproject.toml services/issuer/pyproject.toml
COPY services/verifier/pyproject.toml services/verifier/pyproject.toml
COPY services/notifier/pyproject.toml services/notifier/pyproject.toml
RUN uv sync --frozen --no-dev --no-install-workspace
COPY . .
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 microcred
WORKDIR /app
COPY --from=build --chown=microcred:microcred /app /app
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1 MICROCRED_ENVIRONMENT=production
USER microcred
CMD ["python", "-m", "microcred_verifier"]
