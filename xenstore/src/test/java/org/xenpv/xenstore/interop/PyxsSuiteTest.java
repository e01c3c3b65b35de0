package org.xenpv.xenstore.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading pytest's JUnit XML report into test outcomes (what the pyxs suite comparison rests on). */
class PyxsSuiteTest {

    @Test
    void readsOutcomesAndKeepsTeardownErrors(@TempDir Path dir) throws IOException {
        Path xml = dir.resolve("r.xml");
        Files.writeString(xml, """
                <?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
                <testcase classname="tests.test_client" name="test_read[UnixSocketConnection]" time="0.01"/>
                <testcase classname="tests.test_client" name="test_transaction[UnixSocketConnection]" time="0.01"/>
                <testcase classname="tests.test_client" name="test_transaction[UnixSocketConnection]" time="0.01">
                  <error message="failed on teardown with &quot;PyXSError&quot;">trace</error></testcase>
                <testcase classname="tests.test_client" name="test_commit_retry" time="0.01">
                  <failure message="assert not True">trace</failure></testcase>
                <testcase classname="tests.test__compat" name="test_ls" time="0"><skipped message="no xs"/></testcase>
                </testsuite></testsuites>
                """);
        PyxsSuite.Outcome o = new PyxsSuite.Outcome(PyxsSuite.parse(xml), "");
        assertThat(o.results()).containsEntry("tests/test_client.py::test_read[UnixSocketConnection]", "passed")
                .containsEntry("tests/test_client.py::test_transaction[UnixSocketConnection]", "error")
                .containsEntry("tests/test_client.py::test_commit_retry", "failed")
                .containsEntry("tests/test__compat.py::test_ls", "skipped").hasSize(4);
        assertThat(o.passed()).containsExactly("tests/test_client.py::test_read[UnixSocketConnection]");
    }
}
