package gradcam3d.cli;

import gradcam3d.cam.Target;
import gradcam3d.pipeline.NnunetPlans;

/**
 * One --target as given: its text and the parsed target, or, where a dataset.json label name
 * stands in the class's place ({@code tumor}, {@code tumor:all}), the name, resolved to its class
 * index once the plans are read ({@link #resolve}).
 */
record TargetOption(String text, Target target, String labelName) {
  static TargetOption of(String text, Target target) {
    return new TargetOption(text, target, null);
  }

  static TargetOption named(String text, String labelName) {
    return new TargetOption(text, null, labelName);
  }

  /**
   * The target: a label name replaced by its class index in the dataset.json of {@code plans}
   * (null: no plans); a name that is not a label is parsed as written, and fails as any target
   * text that does not start with a class number does.
   */
  Target resolve(NnunetPlans plans) {
    if (labelName == null) {
      return target;
    }
    int index = plans == null || plans.labels().isEmpty() ? -1 : plans.labelIndex(labelName);
    if (index < 0) {
      return Target.parse(text);
    }
    int colon = text.indexOf(':');
    return Target.parse(index + (colon < 0 ? "" : text.substring(colon)));
  }
}
