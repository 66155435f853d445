package gradcam3d.spark;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What every executor needs to explain its cases: the explanation options as given on the
 * command line (parsed again on the executor into the same settings), where outputs go, and the
 * driver's Hadoop configuration (credentials and file-system settings for HDFS/S3A).
 */
record JobConfig(List<String> explanationArgs, String outUri, boolean pictures, Map<String, String> hadoopConf)
    implements Serializable {
  JobConfig {
    explanationArgs = List.copyOf(explanationArgs);
    hadoopConf = Map.copyOf(hadoopConf);
  }

  org.apache.hadoop.conf.Configuration hadoop() {
    org.apache.hadoop.conf.Configuration c = new org.apache.hadoop.conf.Configuration(false);
    hadoopConf.forEach(c::set);
    return c;
  }
}
