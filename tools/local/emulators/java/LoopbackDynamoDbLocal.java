/*
 * Starts DynamoDB Local with its HTTP connector bound to one address (127.0.0.1 unless the system
 * property rtp.bindHost says otherwise) instead of every interface: DynamoDB Local has no
 * bind-address flag. Run as a single-file source program (JEP 330, `java -cp <DynamoDBLocal.jar
 * and its lib> LoopbackDynamoDbLocal.java <DynamoDB Local arguments>`), no javac step.
 *
 * It builds the server exactly as DynamoDB Local's own main does
 * (ServerRunner.createServerFromCommandLineArgs: same arguments, same handlers, same storage),
 * then sets the host on the embedded Jetty server's connectors before starting it. Telemetry is
 * never configured, so none is sent. Exits non-zero if the server does not start (e.g. the port is
 * taken), so the parent sees the failure.
 */
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    String host = System.getProperty("rtp.bindHost", "127.0.0.1");
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) fail("DynamoDB Local's Jetty server has no connector to bind");
    for (Connector connector : connectors) {
      if (!(connector instanceof ServerConnector)) {
        fail("unexpected Jetty connector " + connector.getClass().getName() + ": cannot bind it to " + host);
      }
      ((ServerConnector) connector).setHost(host);
    }
    proxy.start();
    if (!server.isStarted()) fail("DynamoDB Local did not start");
    for (Connector connector : connectors) {
      ServerConnector bound = (ServerConnector) connector;
      System.out.println("DynamoDB Local listening on " + bound.getHost() + ":" + bound.getLocalPort());
    }
  }

  private static void fail(String message) {
    System.err.println("[LoopbackDynamoDbLocal] " + message);
    System.exit(1);
  }
}
