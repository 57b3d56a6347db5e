import React, { useState } from "react";

export default function Profile() {
  const [name] = useState("Ada");
  return (
    <div className="p-8">
      <h1 className="text-2xl">Hello {name}</h1>
      <div className="mt-4">
        <p>Welcome back.</p>
    </div>
  );
}
