package org.xenpv.harness.samples;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a sample suite used by the harness's own tests. Samples fail and leak on purpose, so they
 * run only when the configuration parameter {@value #ENABLE} is {@code true}, which only those tests
 * set; Surefire does not pick them up (their names do not end in {@code Test}) and an IDE run skips them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(Sample.Condition.class)
public @interface Sample {

    String ENABLE = "xenpv.samples";

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(ENABLE).map(Boolean::parseBoolean).orElse(false)
                    ? ConditionEvaluationResult.enabled("sample run")
                    : ConditionEvaluationResult.disabled("sample suite for the harness's own tests; set " + ENABLE
                    + "=true to run it");
        }
    }
}
