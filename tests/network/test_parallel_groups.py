"""The suite runs in parallel (pytest-xdist, `--dist loadgroup`). Tests that must share a
process carry an `xdist_group` mark: the Celery worker tests, which would compete for two
cores, and the two web nodes, which are started once for their module. pytest-xdist keeps a
group together by adding its name to each test's id; pytest 9.2 stopped reading that id
(pytest-dev/pytest-xdist#1386), and the groups were split without a word.
"""

import pytest

pytestmark = pytest.mark.xdist_group("parallel-groups")


def test_a_grouped_test_keeps_its_group_in_a_parallel_run(request):
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("groups apply only to a parallel run with --dist loadgroup")
    assert request.node.nodeid.endswith("@parallel-groups"), (
        "pytest-xdist did not mark this test with its group, so grouped tests run in "
        "separate processes: pin pytest below the version that broke it"
    )
