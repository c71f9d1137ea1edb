import "virtual:uno.css";
import "./timeline.css";
import { Match, Switch } from "solid-js";
import { render } from "solid-js/web";
import { route } from "./router.ts";
import { SessionPicker } from "./SessionPicker.tsx";
import { SessionView } from "./SessionView.tsx";

function App() {
  const sessionId = () => {
    const current = route();
    return current.screen === "session" ? current.sessionId : undefined;
  };
  return (
    <Switch>
      {/* keyed: another session id in the hash builds a fresh view */}
      <Match when={sessionId()} keyed>
        {(id) => <SessionView sessionId={id} />}
      </Match>
      <Match when={route().screen === "sessions"}>
        <SessionPicker />
      </Match>
    </Switch>
  );
}

render(() => <App />, document.getElementById("root")!);
