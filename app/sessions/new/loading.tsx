import styles from "../sessions.module.css";

export default function LoadingNewSession() {
  return (
    <div aria-busy="true">
      <p role="status" className="visually-hidden">
        Loading the assignments…
      </p>
      <span className={styles.skeleton} style={{ width: "18rem", height: "2rem", marginBottom: "1.5rem" }} />
      <span className={styles.skeleton} style={{ height: "16rem" }} />
    </div>
  );
}
