"""pytest plugin for running pyxs's upstream test suite (tests/ of the python-pyxs source) against a
XenStore daemon's Unix socket (XENSTORED_PATH) outside a Xen dom0; used by PyxsUpstreamSuiteTest.

The suite marks every test that talks to a daemon @virtualized: skipped unless /dev/xen exists and
/proc/xen/capabilities says control_d (pyxs's Client.SU). Neither exists on a machine that runs the
daemon on a socket, so this plugin
  * sets Client.SU (what dom0 would have: the privileged calls are allowed), and
  * drops the "not virtualized" skip marks,
and, before the first test, creates /local/domain/0 as a dom0 toolstack has (the suite assumes
"/local is always in place"). Some tests leave non-daemon threads behind (Timer writers, pyxs routers)
that can keep the interpreter from exiting, so once pytest has written its report the process ends
with os._exit. Tests parametrised with XenBusConnection still need /dev/xen/xenbus and
error out alike on every daemon; nothing else is changed.
"""
import os
import sys

import pytest
import pyxs.client
from pyxs import Client

pyxs.client.Client.SU = True


def pytest_configure(config):
    with Client() as c:
        c.mkdir(b"/local/domain/0")


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        item.own_markers = [m for m in item.own_markers
                            if not (m.name == "skipif" and m.kwargs.get("reason") == "not virtualized")]


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
