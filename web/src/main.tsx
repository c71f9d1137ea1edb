import "virtual:uno.css";
import { Match, Switch } from "solid-js";
import { render } from "solid-js/web";
import { route } from "./router.ts";
import { SessionPicker } from "./SessionPicker.tsx";
import { SessionView } from "./SessionView.tsx";

function App() {
  return (
    <Switch>
      <Match when={route().screen === "sessions"}>
        <SessionPicker />
      </Match>
      <Match when={route().screen === "session" && route()}>
        {(current) => {
          const sessionRoute = current() as { sessionId: string };
          return <SessionView sessionId={sessionRoute.sessionId} />;
        }}
      </Match>
    </Switch>
  );
}

render(() => <App />, document.getElementById("root")!);
