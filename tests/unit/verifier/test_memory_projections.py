"""The verifier's projections held in memory keep what the database keeps."""

from __future__ import annotations

import pytest
from microcred_verifier.adapters.memory_projections import InMemoryProjections
from projections_contract import ProjectionsContract


class TestInMemoryProjections(ProjectionsContract):
    @pytest.fixture
    def projections(self) -> InMemoryProjections:
        return InMemoryProjections()
