package gradcam3d.cli;

import gradcam3d.Setting;
import java.util.Locale;

/**
 * The command line's names of the library's {@link Setting}s, the options that set them
 * ({@link Setting#BATCH_SIZE} is --batch-size): how library errors read on the command line.
 * Registered in META-INF/services; OptionNamesTest checks every setting names an existing option.
 */
public final class OptionNames implements Setting.Naming {
  @Override
  public String label(Setting setting) {
    return "--" + setting.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
