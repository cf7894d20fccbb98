import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.server.CommunityBootstrapper;

/**
 * Starts a Neo4j Community server (kernel, Cypher, Bolt, HTTP and Neo4j Browser) in this JVM.
 *
 * <p>Usage: {@code java -cp 'launcher:lib/*' GraphrecNeo4j HOME}. The server reads
 * HOME/conf/neo4j.conf, keeps its data under HOME/data and stops cleanly on SIGTERM/SIGINT.
 */
public final class GraphrecNeo4j {
  private GraphrecNeo4j() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: GraphrecNeo4j HOME");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    Path conf = home.resolve("conf").resolve("neo4j.conf");
    if (!Files.isRegularFile(conf)) {
      System.err.println("missing config file " + conf);
      System.exit(2);
    }
    CommunityBootstrapper server = new CommunityBootstrapper();
    int status;
    try {
      status = server.start(home, conf, Map.of(), false, false);
    } catch (Throwable e) {
      e.printStackTrace();
      status = 1;
    }
    if (status != 0) {
      System.err.println("Neo4j failed to start (status " + status + "); see the log above");
      Runtime.getRuntime().halt(status);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop();
      stopped.countDown();
    }, "graphrec-neo4j-shutdown"));
    stopped.await();
  }
}
