# Developer entry points. `make help` lists targets; every Python step runs through `uv run`.
# Add a target with a `## description` comment after its name so `make help` shows it.

.DEFAULT_GOAL := help
SHELL := /bin/bash
UV ?= uv

.PHONY: help install stack-up stack-down stack-status

help: ## list targets
	@grep -hE '^([a-zA-Z0-9_-]+:.*## |##@ )' $(MAKEFILE_LIST) | awk ' \
		/^##@ / { printf "\n%s\n", substr($$0, 5); next } \
		{ split($$0, a, ":.*## "); printf "  %-16s %s\n", a[1], a[2] }'

##@ Setup

install: ## uv sync, then fetch Kafka jars (Maven) and build FerretDB (Go) into .stack/
	$(UV) sync
	$(UV) run python -m stack fetch

##@ Local stack (real Kafka + FerretDB, no Docker; ports via MICROCRED_KAFKA_PORT/MICROCRED_MONGO_PORT)

stack-up: ## start Kafka (127.0.0.1:9092) and FerretDB (127.0.0.1:27017); no-op if already up
	$(UV) run python -m stack up

stack-down: ## stop both; leaves no process or port behind
	$(UV) run python -m stack down

stack-status: ## pid and health of each server (exit 1 unless both are up)
	$(UV) run python -m stack status
